/**
 * The anomaly detector: at the end of every interval, each flow's octets, each local host's total (sent
 * and received, over all its flows) and each local subnet's total (/24, /64) go through the same rules
 * (anomaly_rules.ts), so that a host exfiltrating over many short flows — none of them old enough to
 * have a baseline — is seen as one host sending far more than it does.
 *
 * Order per interval: flows, then hosts (with what their anomalous flows explain), then subnets (with
 * what their anomalous hosts explain): a host whose rise is one flow's anomaly is not reported again.
 * Per packet nothing happens here; per interval one pass over the flow table, with the hosts and subnets
 * in fixed-size open-addressing tables (typed arrays), so the pass allocates nothing per flow.
 */
import type { CidrWords, Detector, FlowTable } from "../flow/mod.ts";
import type { Publish } from "../events/mod.ts";
import { AddressTable } from "./address_table.ts";
import type { EpisodeSubject } from "./anomaly_episode.ts";
import { AnomalyLimiter, type AnomalyLimiterCounters } from "./anomaly_limiter.ts";
import {
  type AnomalyOptions,
  type AnomalyRuleCounters,
  AnomalyRules,
  SCOPE_FLOW,
  SCOPE_HOST,
  SCOPE_SUBNET,
  type SubjectDirectory,
} from "./anomaly_rules.ts";
import { HourOfDayBaselines } from "./hour_of_day.ts";
import { LocalNetworks } from "./local_networks.ts";
import { SubjectBaselines } from "./subject_baselines.ts";
import { RECEIVED, SENT, SubjectNames, SUBNET_PREFIX } from "./subject_names.ts";
import { tryParseCidr } from "../net/mod.ts";

/** The fixed parts of the detector; every field has a default fit for the daemon. */
export interface VolumeAnomalySetup {
  /** Networks whose hosts and subnets get baselines. @default RFC 1918 and RFC 4193 (private) networks */
  localNetworks?: readonly CidrWords[];
  /** Hour of the day (0–23) of a time, for the hour-of-day baselines. @default local time */
  hourOf?: (ms: number) => number;
  /** Host baselines at most (× 2 directions share it). @default 16384 */
  hostCapacity?: number;
  /** Subnet baselines at most. @default 2048 */
  subnetCapacity?: number;
  /** Hour-of-day entries at most (each ~440 bytes). @default 16384 */
  hourOfDayCapacity?: number;
  /** Least time between reported episodes of one subject, s. @default 900 */
  holdoffS?: number;
  /** Reported episodes a minute for the whole run. @default 20 */
  perMinute?: number;
}

/** Private networks: the hosts a LAN holds when no FLINTNET_CIDR says otherwise. */
export const PRIVATE_NETWORKS: readonly string[] = [
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "fc00::/7",
];

/** Counters for /stats and replay totals. */
export interface VolumeAnomalyStats extends AnomalyRuleCounters, AnomalyLimiterCounters {
  /** Episodes open now. */
  open_now: number;
  /** Host (× direction) and subnet baselines held, hour-of-day entries held. */
  hosts: number;
  subnets: number;
  hour_of_day: number;
  /** Baselines that had to give way to newer subjects (tables full). */
  evicted: { hosts: number; subnets: number; hour_of_day: number };
}

/** See the module comment. */
export class VolumeAnomalyDetector implements Detector, SubjectDirectory {
  readonly name = "anomaly";
  readonly hourOfDay: HourOfDayBaselines;
  #t: FlowTable;
  #o: AnomalyOptions;
  #rules: AnomalyRules;
  #limiter: AnomalyLimiter;
  #local: LocalNetworks;
  #hourOf: (ms: number) => number;
  #cols: SubjectBaselines[];
  #hosts: AddressTable;
  #subnets: AddressTable;
  #names: SubjectNames;
  // Per-interval sums of hosts (index 0) and subnets (index 1).
  #bytes: Float64Array[];
  #packets: Float64Array[];
  #flows: Uint32Array[];
  #explained: Float64Array[];
  /** Per interval: a part of the host (subnet) took a new level as its usual one. */
  #renew: Uint8Array[];

  constructor(table: FlowTable, options: AnomalyOptions, publish: Publish, setup: VolumeAnomalySetup = {}) {
    this.#t = table;
    this.#o = options;
    this.#local = new LocalNetworks(setup.localNetworks ?? PRIVATE_NETWORKS.map((n) => tryParseCidr(n)!));
    this.#hourOf = setup.hourOf ?? ((ms) => new Date(ms).getHours());
    const hostCap = setup.hostCapacity ?? 16384, subnetCap = setup.subnetCapacity ?? 2048;
    this.#cols = [
      SubjectBaselines.overFlows(table),
      new SubjectBaselines(hostCap),
      new SubjectBaselines(subnetCap),
    ];
    this.hourOfDay = new HourOfDayBaselines(
      setup.hourOfDayCapacity ?? 16384,
      options.intervalS,
      (scope, slot) => {
        if (this.#cols[scope].tod[slot] >= 0) this.#cols[scope].tod[slot] = -2;
      },
    );
    this.#hosts = new AddressTable(hostCap, (slot) => this.#evict(SCOPE_HOST, slot));
    this.#subnets = new AddressTable(subnetCap, (slot) => this.#evict(SCOPE_SUBNET, slot));
    this.#names = new SubjectNames(table, this.#hosts, this.#subnets);
    this.#bytes = [new Float64Array(hostCap), new Float64Array(subnetCap)];
    this.#packets = [new Float64Array(hostCap), new Float64Array(subnetCap)];
    this.#flows = [new Uint32Array(hostCap), new Uint32Array(subnetCap)];
    this.#explained = [new Float64Array(hostCap), new Float64Array(subnetCap)];
    this.#renew = [new Uint8Array(hostCap), new Uint8Array(subnetCap)];
    this.#limiter = new AnomalyLimiter({
      perMinute: setup.perMinute ?? 20,
      holdoffMs: (setup.holdoffS ?? 900) * 1000,
    });
    this.#rules = new AnomalyRules(options, this.hourOfDay, this.#limiter, publish, this);
  }

  /** Anomalies reported (open events published). */
  get raised(): number {
    return this.#limiter.counters().reported;
  }

  onInterval(startMs: number, endMs: number, emptyAfter: number): void {
    this.#rules.begin(startMs, endMs, this.#hourOf(startMs));
    this.#sweepGoneFlows();
    this.#flowPass(startMs);
    this.#aggregatePass(SCOPE_HOST, this.#hosts, true);
    this.#aggregatePass(SCOPE_SUBNET, this.#subnets, false);
    if (emptyAfter > 0) this.#rules.gap(emptyAfter);
  }

  /** Counters since start. */
  stats(): VolumeAnomalyStats {
    return {
      ...this.#rules.counters(),
      ...this.#limiter.counters(),
      open_now: [0, 1, 2].reduce((n, s) => n + this.#rules.episodes(s).size, 0),
      hosts: this.#hosts.size,
      subnets: this.#subnets.size,
      hour_of_day: this.hourOfDay.size,
      evicted: {
        hosts: this.#hosts.evicted,
        subnets: this.#subnets.evicted,
        hour_of_day: this.hourOfDay.evicted,
      },
    };
  }

  /** Closes the episodes of flows that left the table (or whose id now holds another flow). */
  #sweepGoneFlows(): void {
    for (const ep of [...this.#rules.episodes(SCOPE_FLOW).values()]) {
      if (this.#t.family[ep.slot] === 0 || this.key(SCOPE_FLOW, ep.slot) !== ep.subject.key) {
        this.#rules.close(SCOPE_FLOW, null, ep, "subject_gone");
      }
    }
  }

  #flowPass(startMs: number): void {
    const t = this.#t, c = this.#cols[SCOPE_FLOW], rules = this.#rules, hosts = this.#hosts;
    const bytes = this.#bytes[0], packets = this.#packets[0], flows = this.#flows[0];
    const explained = this.#explained[0], renew = this.#renew[0], local = this.#local;
    c.ensure(t.highWater);
    for (let id = 0; id < t.highWater; id++) {
      const fam = t.family[id];
      if (fam === 0) continue;
      const x = t.intervalBytes(id), p = t.intervalPackets(id);
      if (x === 0 && c.state[id] === 0) continue; // idle and nothing pending: nothing to do
      t.resetInterval(id);
      // A flow that started inside this interval only has part of one: not a fair sample.
      const partial = c.count[id] === 0 && t.firstSeen(id) > startMs;
      const excess = partial ? -1 : rules.step(SCOPE_FLOW, c, id, x, p, 1, 0);
      if (x === 0) continue;
      const renewed = rules.renewed(SCOPE_FLOW, id);
      const a = id << 2;
      for (let dir = SENT; dir <= RECEIVED; dir++) {
        const words = dir === SENT ? t.src : t.dst; // the source sent it, the destination received it
        if (!local.has(fam, words, a)) continue;
        const h = hosts.addressSlot(fam, words, a, dir);
        if (hosts.fresh) this.#fresh(SCOPE_HOST, h);
        bytes[h] += x;
        packets[h] += p;
        flows[h]++;
        if (excess > 0) explained[h] += excess;
        if (renewed) renew[h] = 1;
      }
    }
  }

  /** Hosts (folding into subnets) or subnets: one step each for the interval's sums. */
  #aggregatePass(scope: number, table: AddressTable, intoSubnets: boolean): void {
    const i = scope - 1, c = this.#cols[scope], rules = this.#rules, subnets = this.#subnets;
    const bytes = this.#bytes[i], packets = this.#packets[i], flows = this.#flows[i];
    const explained = this.#explained[i], renew = this.#renew[i];
    for (let s = 0; s < table.highWater; s++) {
      const fam = table.family[s];
      if (fam === 0) continue;
      const x = bytes[s];
      if (x === 0 && c.state[s] === 0) continue;
      const excess = rules.step(scope, c, s, x, packets[s], flows[s], explained[s], renew[s] === 1);
      if (intoSubnets && x > 0) {
        const n = subnets.slotOf(fam, table.words, s << 2, SUBNET_PREFIX[fam as 4 | 6], table.tag[s]);
        if (subnets.fresh) this.#fresh(SCOPE_SUBNET, n);
        this.#bytes[1][n] += x;
        this.#packets[1][n] += packets[s];
        this.#flows[1][n] += flows[s];
        if (excess > 0) this.#explained[1][n] += excess;
        if (rules.renewed(scope, s)) this.#renew[1][n] = 1;
      }
      bytes[s] = 0;
      packets[s] = 0;
      flows[s] = 0;
      explained[s] = 0;
      renew[s] = 0;
    }
  }

  /** A host or subnet slot just (re)assigned to an address. */
  #fresh(scope: number, slot: number): void {
    this.#cols[scope].reset(slot);
    this.#names.forget(scope, slot);
  }

  /** A host or subnet slot about to hold another address: its episode ends, its hour-of-day entry is kept. */
  #evict(scope: number, slot: number): void {
    const open = this.#rules.episodes(scope);
    const ep = open.size === 0 ? undefined : open.get(slot);
    if (ep !== undefined) this.#rules.close(scope, this.#cols[scope], ep, "subject_gone");
    const e = this.#cols[scope].tod[slot];
    if (e >= 0) this.hourOfDay.detach(e);
    const i = scope - 1;
    this.#bytes[i][slot] =
      this.#packets[i][slot] =
      this.#flows[i][slot] =
      this.#explained[i][slot] =
        0;
    this.#renew[i][slot] = 0;
  }

  /** SubjectDirectory: see SubjectNames. */
  key(scope: number, slot: number): string {
    return this.#names.key(scope, slot);
  }

  /** SubjectDirectory: see SubjectNames. */
  describe(scope: number, slot: number): EpisodeSubject {
    return this.#names.describe(scope, slot);
  }

  /** SubjectDirectory: the flow record's totals. */
  flowTotals(scope: number, slot: number): { bytes: number; packets: number } | null {
    return scope === SCOPE_FLOW ? { bytes: this.#t.bytes(slot), packets: this.#t.packets(slot) } : null;
  }
}
