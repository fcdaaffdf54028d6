/**
 * The discovery sweep: every host address of the configured networks plus every host already seen
 * (in traffic, in polled ARP tables), ARPed on the directly attached segments first, then probed over
 * SNMP with bounded concurrency. Each host that answers either way is reported once, with what is known
 * of it; progress is reported as it goes, throttled so a /16 does not flood the event stream.
 *
 * The ARP sweep and the SNMP probe are injected, so this file is pure scheduling and bookkeeping.
 */
import { createLogger, forEachBounded, type Logger } from "../base/mod.ts";
import type { SweepProgress } from "../events/mod.ts";
import {
  cidrText,
  DEFAULT_MAX_HOSTS,
  formatIpv4,
  formatIpv6,
  ipv4Hosts,
  parseCidr,
  parseIp,
} from "../net/mod.ts";
import type { SystemInfo } from "../snmp/mod.ts";

/** A host that answered the sweep. */
export interface FoundHost {
  /** Its address. */
  ip: string;
  /** Its MAC when it answered ARP, else null. */
  mac: string | null;
  /** Its system group when it answered SNMP, else null ("no response"). */
  system: SystemInfo | null;
  /** "snmp" when it answered SNMP; "arp_sweep" when only ARP. */
  via: "arp_sweep" | "snmp";
}

/** An active ARP sweep of `targets` on `iface` (see arp_sweep.ts): IPv4 address → MAC. */
export type ArpSweepFn = (
  iface: string,
  targets: Iterable<string>,
  signal?: AbortSignal,
) => Promise<Map<string, string>>;

/** Which progress report this is: the first, one on the way, or the last. */
export type SweepPhase = "started" | "progress" | "finished";

/** Options of {@link DiscoverySweeper}. */
export interface DiscoverySweeperOptions {
  /** SNMP probes in flight at most. */
  concurrency: number;
  /** ARP sweep on attached segments; without it only SNMP is tried. */
  arpSweep?: ArpSweepFn;
  /** Resolves with the system group, or undefined when the host does not answer; a rejection counts as no answer. */
  snmpProbe: (ip: string) => Promise<SystemInfo | undefined>;
  /** Progress: once at the start, at most every `progressIntervalMs` on the way, once at the end. */
  onProgress: (p: SweepProgress, phase: SweepPhase) => void;
  /** Each host that answered, once per sweep. */
  onFound: (f: FoundHost) => void;
  /** Each address that answered neither ARP nor SNMP, once per sweep: it was asked. */
  onUnanswered?: (ip: string) => void;
  /** Clock in milliseconds. @default Date.now */
  now?: () => number;
  /** Largest network swept address by address. @default 65_534 (a /16) */
  maxHostsPerCidr?: number;
  /** Hosts-already-seen taken per sweep at most (they come from traffic, so a hostile peer could inflate them). @default 65_536 */
  maxExtraHosts?: number;
  /** Least time between two "progress" reports. @default 500 */
  progressIntervalMs?: number;
}

/** What to sweep. */
export interface SweepRequest {
  /** Networks, "192.0.2.0/24"; IPv6 networks are not enumerated (their hosts already seen are probed). */
  cidrs: string[];
  /** Interfaces to ARP-sweep (each only within its own IPv4 networks). */
  interfaces: string[];
  /** Hosts already seen in traffic or polled ARP tables (either family; duplicates and junk are dropped). */
  extraHosts: Iterable<string>;
  /** What started it. */
  trigger: SweepProgress["trigger"];
}

/** What {@link DiscoverySweeper.start} did. */
export interface SweepStart {
  /** Resolves with the final progress when the sweep ends (finished or cancelled). */
  done: Promise<SweepProgress>;
  /** True when a sweep was already running and this request joined it instead of starting another. */
  alreadyRunning: boolean;
  /** The progress as it stands now. */
  progress: SweepProgress;
}

interface Running {
  done: Promise<SweepProgress>;
  progress: SweepProgress;
  abort: AbortController;
}

/** Runs one discovery sweep at a time. */
export class DiscoverySweeper {
  #opts:
    & Required<Omit<DiscoverySweeperOptions, "arpSweep" | "onUnanswered">>
    & Pick<DiscoverySweeperOptions, "arpSweep" | "onUnanswered">;
  #log: Logger;
  #running: Running | null = null;
  #lastId = 0;

  /** @throws RangeError when concurrency is not a whole number from 1 to 10000 */
  constructor(opts: DiscoverySweeperOptions) {
    if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1 || opts.concurrency > 10_000) {
      throw new RangeError(
        `discovery concurrency ${opts.concurrency} is not valid; accepted: a whole number from 1 to 10000`,
      );
    }
    this.#opts = {
      now: Date.now,
      maxHostsPerCidr: DEFAULT_MAX_HOSTS,
      maxExtraHosts: 65_536,
      progressIntervalMs: 500,
      ...opts,
    };
    this.#log = createLogger("discovery");
  }

  /** Whether a sweep is running. */
  get running(): boolean {
    return this.#running !== null;
  }

  /** The running sweep's progress, or null. */
  get current(): SweepProgress | null {
    return this.#running ? { ...this.#running.progress } : null;
  }

  /**
   * Starts a sweep, or joins the running one (`alreadyRunning`), whose request then wins.
   * @throws RangeError when a network is not valid or too large to sweep (nothing is started then)
   */
  start(req: SweepRequest): SweepStart {
    if (this.#running) {
      return { done: this.#running.done, alreadyRunning: true, progress: { ...this.#running.progress } };
    }
    const targets = this.#targets(req);
    const startMs = this.#opts.now();
    const progress: SweepProgress = {
      id: ++this.#lastId,
      trigger: req.trigger,
      cidrs: [...req.cidrs],
      scanned: 0,
      total: targets.length,
      found: 0,
      snmp: 0,
      started_at: new Date(startMs).toISOString(),
      elapsed_s: 0,
    };
    const abort = new AbortController();
    const running: Running = { progress, abort, done: Promise.resolve(progress) };
    this.#running = running;
    this.#report(progress, "started", startMs);
    running.done = this.#run(running, targets, [...req.interfaces], startMs).finally(() => {
      if (this.#running === running) this.#running = null;
    });
    return { done: running.done, alreadyRunning: false, progress: { ...progress } };
  }

  /** {@link start}, resolving with the final progress (rejecting when the request is not valid). */
  sweep(req: SweepRequest): Promise<SweepProgress> {
    try {
      return this.start(req).done;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Stops the running sweep: no new probe starts, probes in flight finish (each within its timeout),
   * and the sweep ends with a final progress where scanned < total.
   * @returns the running sweep's promise, or undefined when none runs
   */
  cancel(): Promise<SweepProgress> | undefined {
    if (!this.#running) return undefined;
    this.#running.abort.abort(new Error("discovery sweep cancelled"));
    return this.#running.done;
  }

  /** Every address to probe, deduplicated: the networks' hosts in order, then the hosts already seen. */
  #targets(req: SweepRequest): string[] {
    const seen = new Set<string>();
    for (const text of req.cidrs) {
      const c = parseCidr(text);
      if (c.family === 6) {
        this.#log.info("IPv6 network not swept address by address; its hosts already seen are probed", {
          cidr: cidrText(c),
        });
        continue;
      }
      for (const ip of ipv4Hosts(c, { maxHosts: this.#opts.maxHostsPerCidr })) seen.add(ip);
    }
    let extra = 0, dropped = 0;
    for (const text of req.extraHosts) {
      const p = parseIp(text);
      if (p === undefined) continue;
      const ip = p.family === 4 ? formatIpv4(p.words[0]) : formatIpv6(p.words, 0);
      if (seen.has(ip)) continue;
      if (extra >= this.#opts.maxExtraHosts) {
        dropped++;
        continue;
      }
      seen.add(ip);
      extra++;
    }
    if (dropped > 0) {
      this.#log.warn("more hosts already seen than a sweep takes; the rest wait for the next sweep", {
        taken: extra,
        dropped,
      });
    }
    return [...seen];
  }

  async #run(r: Running, targets: string[], interfaces: string[], startMs: number): Promise<SweepProgress> {
    const { progress, abort } = r;
    const signal = abort.signal;
    const arp = await this.#arpPhase(targets, interfaces, signal);
    let lastReport = this.#opts.now();
    const probe = async (ip: string) => {
      let system: SystemInfo | undefined;
      try {
        system = await this.#opts.snmpProbe(ip);
      } catch (e) {
        this.#log.debug("SNMP probe failed", { ip, error: e });
      }
      progress.scanned++;
      const mac = arp.get(ip) ?? null;
      if (system !== undefined) {
        progress.found++;
        progress.snmp++;
        this.#found({ ip, mac, system, via: "snmp" });
      } else if (mac !== null) {
        progress.found++;
        this.#found({ ip, mac, system: null, via: "arp_sweep" });
      } else if (this.#opts.onUnanswered) {
        this.#handle("onUnanswered", ip, this.#opts.onUnanswered, ip);
      }
      const now = this.#opts.now();
      if (now - lastReport >= this.#opts.progressIntervalMs && progress.scanned < progress.total) {
        lastReport = now;
        this.#report(progress, "progress", startMs);
      }
    };
    // No more workers than targets; a probe never rejects (its failure is "no answer", above).
    const workers = Math.max(1, Math.min(this.#opts.concurrency, targets.length));
    await forEachBounded(targets, workers, probe, { signal });
    this.#report(progress, "finished", startMs);
    this.#log.info(signal.aborted ? "discovery sweep cancelled" : "discovery sweep finished", {
      id: progress.id,
      scanned: progress.scanned,
      total: progress.total,
      found: progress.found,
      snmp: progress.snmp,
      elapsed_s: progress.elapsed_s,
    });
    return { ...progress };
  }

  /** ARP-sweeps each interface in turn; a failing interface is logged and the sweep goes on. */
  async #arpPhase(
    targets: string[],
    interfaces: string[],
    signal: AbortSignal,
  ): Promise<Map<string, string>> {
    const macs = new Map<string, string>();
    const sweep = this.#opts.arpSweep;
    if (sweep === undefined || interfaces.length === 0) return macs;
    const v4 = targets.filter((ip) => !ip.includes(":"));
    for (const iface of interfaces) {
      if (signal.aborted) break;
      try {
        for (const [ip, mac] of await sweep(iface, v4, signal)) if (!macs.has(ip)) macs.set(ip, mac);
      } catch (e) {
        if (signal.aborted) break;
        this.#log.warn("ARP sweep failed; going on with SNMP only there", { iface, error: e });
      }
    }
    return macs;
  }

  #found(f: FoundHost): void {
    this.#handle("onFound", f.ip, this.#opts.onFound, f);
  }

  /** Runs a handler of the caller's; one that throws is logged and the sweep goes on. */
  #handle<T>(name: string, ip: string, handler: (arg: T) => void, arg: T): void {
    try {
      handler(arg);
    } catch (e) {
      this.#log.error(`discovery ${name} handler threw`, { ip, error: e });
    }
  }

  #report(progress: SweepProgress, phase: SweepPhase, startMs: number): void {
    progress.elapsed_s = Math.max(0, Math.round(this.#opts.now() - startMs)) / 1000;
    try {
      this.#opts.onProgress({ ...progress, cidrs: [...progress.cidrs] }, phase);
    } catch (e) {
      this.#log.error("discovery onProgress handler threw", { phase, error: e });
    }
  }
}
