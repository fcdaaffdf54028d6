/**
 * Recordings that start themselves (FLINTNET_RECORDING_AUTO=1): when an `anomaly` opens or a `security`
 * event names a host, or a host carries more than FLINTNET_RECORDING_BPS in an anomaly interval, a
 * recording of that host starts for FLINTNET_RECORDING_SECONDS with the look-back ring's last
 * FLINTNET_RECORDING_PRE_SECONDS first. At most one such recording per host at a time, and none for a host
 * within FLINTNET_RECORDING_COOLDOWN of its last one.
 */
import { createLogger, type Logger } from "../base/mod.ts";
import type { AnomalyEvent, EventBus, PublishedEvent, SecurityEvent, Subscription } from "../events/mod.ts";
import { AddressIndex, type Detector, type FlowTable } from "../flow/mod.ts";
import { type Cidr, cidrContainsWords, formatIp, parseIp } from "../net/mod.ts";
import type { Recorder } from "./recorder.ts";
import { hostSubject } from "./recording_request.ts";
import type { RecordingJson, Trigger } from "./recordings_index.ts";

/** Settings of auto-started recordings. */
export interface AutoRecorderOptions {
  /** FLINTNET_RECORDING_SECONDS. */
  seconds: number;
  /** FLINTNET_RECORDING_PRE_SECONDS. */
  preSeconds: number;
  /** FLINTNET_RECORDING_COOLDOWN, seconds. */
  cooldownS: number;
  /** The local networks (FLINTNET_CIDR): a flow anomaly records its local end. */
  localNetworks: readonly Cidr[];
  /** @default Date.now */
  now?: () => number;
}

/** Hosts whose cooldown is remembered; the oldest is forgotten first beyond this. */
const MAX_COOLDOWNS = 4096;

/** Starts host recordings on events. */
export class AutoRecorder {
  /** Triggers that started nothing: a recording of that host running, its cooldown, or no room. */
  skipped = { running: 0, cooldown: 0, refused: 0 };
  #rec: Recorder;
  #o: AutoRecorderOptions;
  #now: () => number;
  #last = new Map<string, number>();
  #sub: Subscription | undefined;
  #log: Logger = createLogger("recording");

  constructor(recorder: Recorder, opts: AutoRecorderOptions) {
    this.#rec = recorder;
    this.#o = opts;
    this.#now = opts.now ?? Date.now;
  }

  /** Listens for anomaly and security events. */
  attach(bus: EventBus): void {
    this.#sub = bus.subscribe((e) => this.#onEvent(e), { kinds: ["anomaly", "security"], name: "recording" });
  }

  /** Stops listening. */
  detach(): void {
    this.#sub?.unsubscribe();
  }

  /** Starts a recording of `host` unless one runs, its cooldown holds, or there is no room. */
  trigger(host: string, trigger: Trigger, reason: string): RecordingJson | undefined {
    if (this.#rec.autoRunningFor(host)) {
      this.skipped.running++;
      return undefined;
    }
    const now = this.#now(), last = this.#last.get(host);
    if (last !== undefined && now - last < this.#o.cooldownS * 1000) {
      this.skipped.cooldown++;
      return undefined;
    }
    try {
      const r = this.#rec.begin({
        subject: hostSubject(host),
        trigger,
        reason,
        durationS: this.#o.seconds,
        preSeconds: this.#o.preSeconds,
      });
      this.#last.delete(host);
      this.#last.set(host, now);
      if (this.#last.size > MAX_COOLDOWNS) this.#last.delete(this.#last.keys().next().value!);
      return r;
    } catch (e) {
      this.skipped.refused++;
      this.#log.warn("cannot start a recording", {
        host,
        trigger,
        error: e instanceof Error ? e.message : String(e),
      });
      return undefined;
    }
  }

  #onEvent(e: PublishedEvent): void {
    if (e.kind === "security") {
      const s = e as SecurityEvent;
      if (s.ip && parseIp(s.ip)) this.trigger(s.ip, "security", s.explanation);
    } else if (e.kind === "anomaly") {
      const a = e as AnomalyEvent;
      if (a.phase !== "open" || a.scope === "subnet") return;
      const host = this.#localEnd(a.src_ip, a.dst_ip);
      if (host) this.trigger(host, "anomaly", a.reason);
    }
  }

  /** The end of a flow in the local networks (the source when both or neither are). */
  #localEnd(src: string | null, dst: string | null): string | null {
    if (src && dst && !this.#isLocal(src) && this.#isLocal(dst)) return dst;
    return src ?? dst;
  }

  #isLocal(ip: string): boolean {
    const p = parseIp(ip);
    return p !== undefined && this.#o.localNetworks.some((c) => cidrContainsWords(c, p.family, p.words));
  }
}

/** Hosts considered per interval at most (the busiest first). */
const MAX_PER_INTERVAL = 10;

/**
 * A Detector that, at each interval close, adds up each host's octets (sent and received) and starts a
 * recording of every host above `bps` (FLINTNET_RECORDING_BPS). Runs before the anomaly detector, which
 * starts each flow's next interval. Per flow with packets in the interval, once an interval: not per packet.
 */
export class BandwidthTrigger implements Detector {
  readonly name = "recording_bps";
  #table: FlowTable;
  #auto: AutoRecorder;
  #bps: number;
  /** The interval's addresses (dense indexes, no string per flow) and the octets each carried. */
  #index = new AddressIndex();
  #octets = new Float64Array(1024);

  constructor(table: FlowTable, auto: AutoRecorder, bps: number) {
    this.#table = table;
    this.#auto = auto;
    this.#bps = bps;
  }

  onInterval(startMs: number, endMs: number): void {
    const t = this.#table, seconds = (endMs - startMs) / 1000;
    if (seconds <= 0) return;
    this.#index.clear();
    for (let id = 0; id < t.highWater; id++) {
      const f = t.family[id];
      if (f === 0 || t.intervalPackets(id) === 0) continue;
      const n = t.intervalBytes(id);
      this.#add(f, t.src, id * 4, n);
      this.#add(f, t.dst, id * 4, n);
    }
    const index = this.#index, octets = this.#octets;
    const over: number[] = []; // in the order the addresses were met, then the busiest first
    for (let i = 0; i < index.size; i++) if ((octets[i] * 8) / seconds > this.#bps) over.push(i);
    over.sort((a, b) => octets[b] - octets[a]);
    for (const i of over.slice(0, MAX_PER_INTERVAL)) {
      const ip = formatIp(index.family[i], index.words, i * 4);
      const rate = Math.round((octets[i] * 8) / seconds);
      this.#auto.trigger(
        ip,
        "bandwidth",
        `${ip} carried ${rate} bit/s over ${seconds} s, above FLINTNET_RECORDING_BPS ${this.#bps}`,
      );
    }
  }

  /** Adds `n` octets to the address at words[o…o+3], counted from 0 when it is new in this pass. */
  #add(family: number, words: Uint32Array, o: number, n: number): void {
    const fresh = this.#index.size;
    const i = this.#index.indexOf(family, words, o);
    if (i >= this.#octets.length) {
      const grown = new Float64Array(this.#octets.length * 2);
      grown.set(this.#octets);
      this.#octets = grown;
    }
    this.#octets[i] = (i === fresh ? 0 : this.#octets[i]) + n;
  }
}
