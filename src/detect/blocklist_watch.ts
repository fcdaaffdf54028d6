/**
 * Flows to or from an address on a block list (FLINTNET_BLOCKLISTS): the flow is flagged in its threat
 * columns (flow/flow_threats.ts, shown as `blocklist` in /flows) and ONE `security` event of type
 * `blocklisted` goes out per connection and list (the first 32 lists exactly; beyond, lists share bits) —
 * the reverse direction of a flagged flow is flagged quietly — at most EVENTS_PER_MINUTE a minute, the rest counted and said in the next event.
 *
 * Cost: nothing per packet. A flow is checked once, when it is created (the table lists the rows that
 * created flows in `newRows`): two binary searches per list. Each interval a pass over the table checks
 * the flows that were not (NetFlow records create flows without rows) and, after a list changed, every
 * flow again, so a long-lived connection to a newly listed address is caught too.
 */
import { MinuteBudget } from "../base/mod.ts";
import type { PacketBatch } from "../decode/mod.ts";
import type { Publish } from "../events/mod.ts";
import { communityId, type Detector, type FlowTable, type FlowThreats, threatsOf } from "../flow/mod.ts";
import { formatIp, formatMac } from "../net/mod.ts";
import type { ThreatLists } from "./threat_lists.ts";

/** Block-list events a minute at most; a flood of listed flows is told by the first ones and a count. */
export const BLOCKLIST_EVENTS_PER_MINUTE = 60;

/** ICMP echo request and reply types, paired (RFC 792; RFC 4443 §4.1–4.2). */
const ECHO_V4 = [8, 0], ECHO_V6 = [128, 129];

const PROTOCOLS: Record<number, string> = { 1: "ICMP", 6: "TCP", 17: "UDP", 58: "ICMPv6", 132: "SCTP" };

/** Block-list matching of new flows. */
export class BlocklistWatch implements Detector {
  readonly name = "blocklists";
  readonly #t: FlowTable;
  readonly #v: FlowThreats;
  readonly #lists: ThreatLists;
  readonly #publish: Publish;
  readonly #vendor: (mac: string) => string | null;
  readonly #budget = new MinuteBudget(BLOCKLIST_EVENTS_PER_MINUTE);
  #rev = { s: new Uint32Array(4), d: new Uint32Array(4) };
  /** Version of the lists the last full pass checked against. */
  #passVersion = 0;
  /** Flows checked, flagged, events published and held back by the rate limit, since start. */
  readonly counters = { checked: 0, flagged: 0, events: 0, rate_limited: 0 };

  constructor(
    table: FlowTable,
    lists: ThreatLists,
    publish: Publish,
    vendor: (mac: string) => string | null = () => null,
  ) {
    this.#t = table;
    this.#v = threatsOf(table);
    this.#lists = lists;
    this.#publish = publish;
    this.#vendor = vendor;
  }

  onRows(b: PacketBatch, _from: number, _to: number): void {
    const t = this.#t, n = t.newCount;
    if (n === 0 || this.#lists.count === 0) return;
    const rows = t.newRows, rowFlow = t.rowFlow;
    for (let k = 0; k < n; k++) {
      const r = rows[k], id = rowFlow[r];
      if (id >= 0) this.#check(id, b, r);
    }
  }

  onInterval(): void {
    if (this.#lists.count === 0) return;
    const t = this.#t, v = this.#v, version = this.#lists.version;
    const again = version !== this.#passVersion;
    this.#passVersion = version;
    for (let id = 0; id < t.highWater; id++) {
      if (t.family[id] === 0) continue;
      v.sync(id);
      if (v.checked[id] === 0 || (again && v.checked[id] !== version)) this.#check(id, null, -1);
    }
  }

  /** Checks flow `id` (created by row `r` of `b`, when there is one) against every list. */
  #check(id: number, b: PacketBatch | null, r: number): void {
    const t = this.#t, v = this.#v, lists = this.#lists;
    v.sync(id);
    v.checked[id] = lists.version;
    this.counters.checked++;
    const fam = t.family[id], a = id << 2;
    for (let side = 1; side <= 2; side++) {
      const w = side === 1 ? t.src : t.dst;
      for (let i = lists.find(fam, w, a); i >= 0; i = lists.find(fam, w, a, i + 1)) {
        const bit = 1 << (i & 31);
        if (v.listBits[id] & bit) continue; // told when the flow was checked before
        v.listBits[id] |= bit;
        const hit = lists.hitAt(i, fam, w, a);
        if (!v.listed.has(id)) {
          v.listed.set(id, { list: hit.list, entry: hit.entry });
          v.listedSide[id] = side;
          this.counters.flagged++;
        }
        if (!this.#reverseTold(id, bit)) this.#event(id, side, hit.list, hit.entry, i, b, r);
      }
    }
  }

  /** True when the other direction of flow `id` was already flagged for the list of `bit` (and so told). */
  #reverseTold(id: number, bit: number): boolean {
    const t = this.#t, a = id << 2, s = this.#rev.s, d = this.#rev.d;
    for (let i = 0; i < 4; i++) {
      s[i] = t.dst[a + i];
      d[i] = t.src[a + i];
    }
    const proto = t.proto[id];
    let sp = t.dstPort[id], dp = t.srcPort[id];
    // ICMP keeps type and code in the ports: an echo's reply is type 0 (ICMPv6 129), code 0
    const echo = proto === 1 ? ECHO_V4 : proto === 58 ? ECHO_V6 : null;
    if (echo !== null) {
      const i = echo.indexOf(t.srcPort[id]);
      if (i < 0) return false;
      sp = echo[i ^ 1];
      dp = 0;
    }
    const rev = t.find(t.family[id], s, d, sp, dp, proto);
    if (rev < 0) return false;
    this.#v.sync(rev);
    return (this.#v.listBits[rev] & bit) !== 0;
  }

  #event(
    id: number,
    side: number,
    list: string,
    entry: string,
    index: number,
    b: PacketBatch | null,
    r: number,
  ) {
    const t = this.#t, a = id << 2, fam = t.family[id], proto = t.proto[id];
    const at = t.firstSeen(id);
    if (!this.#budget.take(at)) {
      this.counters.rate_limited++;
      return;
    }
    const unreported = this.#budget.takeHeldBack();
    this.counters.events++;
    const src = formatIp(fam, t.src, a), dst = formatIp(fam, t.dst, a);
    const sp = t.srcPort[id], dp = t.dstPort[id];
    const listed = side === 1 ? src : dst, local = side === 1 ? dst : src;
    // The frame's source MAC is the local host's only when the local host sent it.
    const mac = side === 2 && b !== null && b.ethSrc[r] !== 0 ? formatMac(b.ethSrc[r]) : "";
    const pname = PROTOCOLS[proto] ?? `protocol ${proto}`;
    const port = proto === 6 || proto === 17 || proto === 132 ? ` port ${side === 1 ? sp : dp}` : "";
    const sentences = [
      side === 2
        ? `${local} sent ${pname} traffic to ${listed}${port}, which is on the block list ${list} (entry ${entry}).`
        : `${local} received ${pname} traffic from ${listed}, which is on the block list ${list} (entry ${entry}).`,
      "A listed address is known for abuse (malware, botnet control, spam); check what on this host talks to it.",
    ];
    if (unreported > 0) {
      sentences.push(
        `Before this one, ${unreported} more blocklisted alert${unreported === 1 ? " was" : "s were"} left ` +
          `unreported: more than ${BLOCKLIST_EVENTS_PER_MINUTE} a minute is a flood; /stats counts them.`,
      );
    }
    this.#publish({
      kind: "security",
      ts: new Date(at).toISOString(),
      type: "blocklisted",
      severity: "warning",
      mac,
      ip: local,
      vendor: mac ? this.#vendor(mac) : null,
      explanation: sentences.join(" "),
      evidence: {
        list,
        list_path: this.#lists.pathOf(index),
        entry,
        listed_ip: listed,
        local_ip: local,
        direction: side === 2 ? "outbound" : "inbound",
        flow: {
          src_ip: src,
          dst_ip: dst,
          src_port: sp,
          dst_port: dp,
          protocol: proto,
          community_id: communityId(fam, t.src, a, t.dst, a, proto, sp, dp),
        },
        first_seen: new Date(at).toISOString(),
        unreported_before: unreported,
      },
      source: "capture",
    });
  }
}
