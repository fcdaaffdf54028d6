/**
 * Slow scans: per source, one HyperLogLog sketch of the ports and one of the hosts it probed in each of
 * the last `minutes` minutes (128 bytes each), so "distinct ports probed in the last 15 minutes" is the
 * register-wise maximum of 15 sketches, whatever the number of probes. Memory is bounded per source
 * (2 × minutes × 128 bytes: 3.75 KiB for 15 minutes) and in sources: past `maxSources`, the source
 * quiet for the longest is forgotten (counted in `evicted`).
 */
import { hash32, HLL_REGISTERS, hllAdd, hllEstimate, hllMerge } from "./hyperloglog.ts";

const PORT_SALT = 0x5ca1ab1e, HOST_SALT = 0x0ddba11;

interface SourceWindow {
  /** Per slot (minute mod `minutes`): its minute, ports sketch, hosts sketch. */
  minute: Float64Array;
  ports: Uint8Array;
  hosts: Uint8Array;
  /** Most distinct ports and hosts in one minute of the window (exact counts). */
  maxPorts: Float64Array;
  maxHosts: Float64Array;
  lastMinute: number;
}

/** The window's estimate for one source. */
export interface WindowEstimate {
  /** Distinct ports probed in the window (estimated, ±9 %). */
  ports: number;
  /** Distinct hosts probed in the window (estimated). */
  hosts: number;
  /** The most distinct ports (hosts) in any one minute of the window, exact. */
  maxMinutePorts: number;
  maxMinuteHosts: number;
  /** Minutes of the window with probes. */
  activeMinutes: number;
}

/** Per-source sliding windows of probe sketches. */
export class ScanWindow {
  readonly minutes: number;
  readonly maxSources: number;
  #sources = new Map<string, SourceWindow>();
  #merged = new Uint8Array(HLL_REGISTERS);
  /** Sources forgotten to stay within maxSources. */
  evicted = 0;

  constructor(minutes: number, maxSources: number) {
    this.minutes = minutes;
    this.maxSources = maxSources;
  }

  /** Sources held. */
  get size(): number {
    return this.#sources.size;
  }

  /** Adds a source's probes of minute `minute` (a minute number): port keys and host keys. */
  add(
    source: string,
    minute: number,
    portKeys: readonly number[],
    hostKeys: readonly number[],
    ports: number,
    hosts: number,
  ): void {
    let w = this.#sources.get(source);
    if (w === undefined) {
      if (this.#sources.size >= this.maxSources) {
        // Map order is insertion order, and a source is re-inserted whenever it probes: the first is the quietest.
        this.#sources.delete(this.#sources.keys().next().value!);
        this.evicted++;
      }
      const n = this.minutes;
      w = {
        minute: new Float64Array(n).fill(-1),
        ports: new Uint8Array(n * HLL_REGISTERS),
        hosts: new Uint8Array(n * HLL_REGISTERS),
        maxPorts: new Float64Array(n),
        maxHosts: new Float64Array(n),
        lastMinute: minute,
      };
    } else this.#sources.delete(source);
    this.#sources.set(source, w);
    w.lastMinute = minute;
    const slot = minute % this.minutes, o = slot * HLL_REGISTERS;
    if (w.minute[slot] !== minute) {
      w.minute[slot] = minute;
      w.ports.fill(0, o, o + HLL_REGISTERS);
      w.hosts.fill(0, o, o + HLL_REGISTERS);
      w.maxPorts[slot] = w.maxHosts[slot] = 0;
    }
    for (const k of portKeys) hllAdd(w.ports, o, hash32(k, PORT_SALT));
    for (const k of hostKeys) hllAdd(w.hosts, o, hash32(k, HOST_SALT));
    w.maxPorts[slot] = Math.max(w.maxPorts[slot], ports);
    w.maxHosts[slot] = Math.max(w.maxHosts[slot], hosts);
  }

  /** Every source with probes in the window ending with minute `minute`, with its estimate. */
  *estimates(minute: number): Generator<[string, WindowEstimate]> {
    for (const [source, w] of this.#sources) {
      if (minute - w.lastMinute >= this.minutes) continue;
      yield [source, this.#estimate(w, minute)];
    }
  }

  /** Forgets sources with nothing in the window ending with `minute`. */
  prune(minute: number): void {
    for (const [source, w] of this.#sources) {
      if (minute - w.lastMinute >= this.minutes) this.#sources.delete(source);
    }
  }

  #estimate(w: SourceWindow, minute: number): WindowEstimate {
    const merged = this.#merged;
    let maxPorts = 0, maxHosts = 0, active = 0;
    merged.fill(0);
    for (let s = 0; s < this.minutes; s++) {
      if (w.minute[s] < 0 || minute - w.minute[s] >= this.minutes || w.minute[s] > minute) continue;
      active++;
      hllMerge(merged, w.ports, s * HLL_REGISTERS);
      maxPorts = Math.max(maxPorts, w.maxPorts[s]);
      maxHosts = Math.max(maxHosts, w.maxHosts[s]);
    }
    const ports = hllEstimate(merged);
    merged.fill(0);
    for (let s = 0; s < this.minutes; s++) {
      if (w.minute[s] < 0 || minute - w.minute[s] >= this.minutes || w.minute[s] > minute) continue;
      hllMerge(merged, w.hosts, s * HLL_REGISTERS);
    }
    return {
      ports: Math.round(ports),
      hosts: Math.round(hllEstimate(merged)),
      maxMinutePorts: maxPorts,
      maxMinuteHosts: maxHosts,
      activeMinutes: active,
    };
  }
}
