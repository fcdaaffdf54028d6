/**
 * When sweeps run: once at start, every FLINTNET_DISCOVERY_INTERVAL, and on POST /discovery; never two
 * at once. Each sweep covers the local networks plus every host already known (seen in traffic, in a
 * polled ARP table, or in the registry), and its progress is published as `device` events so a person
 * watching a /22 sees it move.
 */
import type { EventBus, SweepProgress } from "../events/mod.ts";
import { createLogger } from "../base/mod.ts";
import { DEFAULT_MAX_HOSTS, ipv4HostCount, parseCidr } from "../net/mod.ts";
import type { DiscoverySweeper, SweepPhase } from "./sweeper.ts";

/** Options of {@link DiscoveryScheduler}. */
export interface DiscoverySchedulerOptions {
  /** Runs the sweeps. */
  sweeper: DiscoverySweeper;
  /** Local networks to sweep. */
  cidrs: readonly string[];
  /** Interfaces to ARP-sweep on. */
  interfaces: readonly string[];
  /** Hosts already known, asked for at each sweep. */
  knownHosts: () => Iterable<string>;
  /** Seconds between sweeps; 0 = none besides the first and the API's. */
  intervalS: number;
}

const PHASE_ACTION = {
  started: "sweep_started",
  progress: "sweep_progress",
  finished: "sweep_finished",
} as const satisfies Record<SweepPhase, string>;

/** Publishes a sweep's progress on the bus (the sweeper's onProgress). */
export function publishSweepProgress(bus: EventBus, p: SweepProgress, phase: SweepPhase): void {
  bus.publish({ kind: "device", ts: new Date().toISOString(), action: PHASE_ACTION[phase], sweep: { ...p } });
}

/** Sweeps on demand, as the API (POST /discovery) and the dashboard drive them. */
export interface DiscoveryControl {
  /** Starts a sweep unless one runs; says which happened and where the sweep (new or running) is. */
  start(): { started: boolean; sweep: SweepProgress };
  /** The running sweep, else the last finished one; when the next periodic sweep is due. */
  status(): { running: boolean; sweep: SweepProgress | null; next_at: string | null };
}

/** Starts sweeps on time and on request. */
export class DiscoveryScheduler implements DiscoveryControl {
  readonly #o: DiscoverySchedulerOptions;
  readonly #log = createLogger("discovery");
  #timer: ReturnType<typeof setTimeout> | undefined;
  #nextAt: number | null = null;
  #last: SweepProgress | null = null;
  #stopped = false;
  readonly #cidrs: string[];

  constructor(opts: DiscoverySchedulerOptions) {
    this.#o = opts;
    // A network too large to walk address by address (loopback's /8, say) is not swept; its hosts seen in
    // traffic or ARP still are. Said once, at start.
    this.#cidrs = opts.cidrs.filter((c) => {
      const cidr = parseCidr(c);
      const hosts = cidr.family === 4 ? ipv4HostCount(cidr.prefix) : Infinity;
      if (hosts <= DEFAULT_MAX_HOSTS) return true;
      this.#log.warn(
        `${c} is too large to sweep address by address (more than ${DEFAULT_MAX_HOSTS} hosts): only hosts seen ` +
          "in traffic and ARP tables there are probed; list smaller networks in FLINTNET_CIDR to sweep them",
      );
      return false;
    });
  }

  /** The first sweep, when the daemon starts; the periodic ones follow it. */
  sweepAtStart(): { started: boolean; sweep: SweepProgress } {
    return this.#run("start");
  }

  /** A sweep asked for through the API (POST /discovery). */
  start(): { started: boolean; sweep: SweepProgress } {
    return this.#run("api");
  }

  /** Where the current or last sweep is. */
  status(): { running: boolean; sweep: SweepProgress | null; next_at: string | null } {
    const running = this.#o.sweeper.running;
    return {
      running,
      sweep: running ? this.#o.sweeper.current : this.#last,
      next_at: this.#nextAt === null ? null : new Date(this.#nextAt).toISOString(),
    };
  }

  /** Cancels the running sweep and the timer. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    await this.#o.sweeper.cancel();
  }

  #run(trigger: SweepProgress["trigger"]): { started: boolean; sweep: SweepProgress } {
    const s = this.#o.sweeper.start({
      cidrs: [...this.#cidrs],
      interfaces: [...this.#o.interfaces],
      extraHosts: this.#o.knownHosts(),
      trigger,
    });
    if (!s.alreadyRunning) {
      // The sweeper logs how each sweep ended; here only the last one is kept for GET /discovery.
      s.done.then(
        (p) => void (this.#last = p),
        (err) => this.#log.error("discovery sweep failed", { error: err }),
      )
        .finally(() => this.#schedule());
    }
    return { started: !s.alreadyRunning, sweep: s.progress };
  }

  /** The next periodic sweep, counted from the end of the last one (a slow sweep never piles up). */
  #schedule(): void {
    if (this.#stopped || this.#o.intervalS === 0) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const delay = this.#o.intervalS * 1000;
    this.#nextAt = Date.now() + delay;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#nextAt = null;
      this.#run("interval");
    }, delay);
  }
}
