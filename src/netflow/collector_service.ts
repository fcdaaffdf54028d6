/**
 * The NetFlow/IPFIX collector seen from the main thread: it runs the receive loop with the listeners,
 * hands every batch of flow records to `onRecords` (in order, on the main thread), tells `onExporter`
 * about each new exporter, and keeps the loop's last counters for /stats.
 *
 * The loop runs in-process by default: polling happens off-thread (nonblocking FFI) and decoding a
 * record costs about 0.25 µs, so the main thread keeps up with well over a million records a second,
 * while a Worker's isolate alone costs about 15 MB of RSS. `inWorker` moves receiving and decoding to
 * a Worker (records then come through a shared ring), for hosts where the main thread is the
 * bottleneck: measured side by side in `deno task bench --only=netflow`.
 */
import { parseIp } from "../net/mod.ts";
import { createLogger, type Logger } from "../base/mod.ts";
import type { CollectorLimits, SamplingOverride } from "./collector.ts";
import { type CollectorStats, collectorStats } from "./collector_stats.ts";
import {
  CollectorLoop,
  type FromCollector,
  type ListenerSpec,
  type ListenerStatus,
} from "./collector_loop.ts";
import type { CollectorStart, FromCollectorWorker } from "./collector_worker.ts";
import { zeroCounters } from "./exporter_state.ts";
import type { PortCounters } from "../events/mod.ts";
import { BatchRing } from "../capture/mod.ts";
import {
  createFlowRecordBatch,
  DEFAULT_RECORD_ROWS,
  type FlowRecordBatch,
  RECORD_BATCH_LAYOUT,
} from "./flow_record.ts";

/** One listener as configured. */
export interface ListenerConfig {
  /** "netflow" (v5 and v9), "ipfix" or "sflow"; each port decodes every version it receives. */
  name: string;
  /** IP address or host name to bind. */
  hostname: string;
  /** UDP port. */
  port: number;
}

/** Options of {@link CollectorService}. */
export interface CollectorServiceOptions {
  /** Sockets to open. */
  listeners: ListenerConfig[];
  /** Receive buffer to ask for per socket, octets. */
  rcvbufBytes: number;
  /** FLINTNET_NETFLOW_SAMPLING. */
  sampling: SamplingOverride[];
  /** Receives each batch of records on the main thread; the batch is reused once this returns. */
  onRecords: (batch: FlowRecordBatch) => void;
  /** Called with a new exporter's address. */
  onExporter?: (address: string) => void;
  /** Called with the ports' counters sFlow agents sent (a few at a time, in the order they arrived). */
  onInterfaceCounters?: (counters: PortCounters[]) => void;
  /** Bounds of the collector's state. */
  limits?: Partial<CollectorLimits>;
  /** Receive and decode in a Worker. @default false */
  inWorker?: boolean;
  /** Batches in flight between the Worker and the main thread. @default 16 */
  ringSlots?: number;
  /** @default createLogger("netflow") */
  logger?: Logger;
}

/** What /stats shows under `collector`. */
export interface CollectorServiceStats extends CollectorStats {
  /** Datagrams the kernel dropped, all listeners. */
  kernel_drops: number;
  /** Each socket. */
  listeners: ListenerStatus[];
}

/** What each listener receives, as the log says it (the setting is FLINTNET_<NAME>_LISTEN). */
const LISTENER_WHAT: Record<string, string> = { netflow: "NetFlow v5/v9", ipfix: "IPFIX", sflow: "sFlow" };

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 2_000;

/** The address `hostname` binds: an IP literal as is, else its first A (then AAAA) record. */
async function resolveBind(hostname: string): Promise<{ family: 4 | 6; words: Uint32Array }> {
  const literal = parseIp(hostname) ?? (hostname === "localhost" ? parseIp("127.0.0.1") : undefined);
  if (literal) return literal;
  for (const type of ["A", "AAAA"] as const) {
    const found = await Deno.resolveDns(hostname, type).catch(() => [] as string[]);
    const ip = found.length ? parseIp(found[0]) : undefined;
    if (ip) return ip;
  }
  throw new Error(`${hostname} does not resolve to an address`);
}

/** The receive loop (in-process or in a Worker) and the bookkeeping around it. */
export class CollectorService {
  readonly #o: CollectorServiceOptions;
  readonly #log: Logger;
  #loop: CollectorLoop | null = null;
  #worker: Worker | null = null;
  #ring: BatchRing<FlowRecordBatch> | null = null;
  #running: Promise<void> | null = null;
  #listeners: ListenerStatus[] = [];
  #unresolved: ListenerStatus[] = [];
  #stats: CollectorStats;
  #onListening: (() => void) | null = null;
  #onStopped: (() => void) | null = null;

  constructor(o: CollectorServiceOptions) {
    this.#o = o;
    this.#log = o.logger ?? createLogger("netflow");
    this.#stats = collectorStats({
      retired: zeroCounters(),
      exporters: [],
      malformedByReason: [],
      refusedByReason: [],
      optionsRecords: 0,
      otherRecords: 0,
      interfaceCountersDropped: 0,
      templates: 0,
      templatesEvicted: 0,
      pendingSets: 0,
      pendingBytes: 0,
    });
  }

  /**
   * Starts receiving; resolves once every listener was tried. A listener that cannot bind is logged
   * and shown in stats; the others work. Rejects only when a Worker fails to start.
   */
  async start(): Promise<void> {
    if (this.#loop || this.#worker) throw new Error("the NetFlow collector is already started");
    const listeners = await this.#resolve();
    const listening = new Promise<void>((resolve) => this.#onListening = resolve);
    if (this.#o.inWorker) await this.#startWorker(listeners, listening);
    else {
      const batch = createFlowRecordBatch(DEFAULT_RECORD_ROWS);
      this.#loop = new CollectorLoop(this.#options(listeners), (m) => this.#receive(m), {
        first: batch,
        next: (b) => {
          this.#deliver(b);
          b.count = 0;
          return b;
        },
      });
      this.#running = this.#loop.run();
      await listening;
    }
    for (const l of this.#listeners) {
      const what = LISTENER_WHAT[l.name] ?? l.name;
      if (l.listening) {
        this.#log.info(`listening for ${what}`, {
          address: l.address,
          port: l.port,
          rcvbuf_bytes: l.rcvbuf_bytes,
        });
      } else {
        const setting = `FLINTNET_${l.name.toUpperCase()}_LISTEN`;
        this.#log.error(`${what} is not received: ${l.error}; set ${setting} to a free address (or off)`, {
          address: l.address,
        });
      }
    }
  }

  /** Stops receiving and closes the sockets (a Worker is terminated after 2 s regardless). */
  async stop(): Promise<void> {
    if (this.#loop) {
      this.#loop.stop();
      await this.#running;
      this.#loop = null;
      return;
    }
    const worker = this.#worker;
    if (!worker) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stopped = new Promise<void>((resolve) => {
      this.#onStopped = resolve;
      timer = setTimeout(resolve, STOP_TIMEOUT_MS);
    });
    worker.postMessage({ type: "stop" });
    this.#ring?.close(); // a Worker waiting for a free slot goes on, into scratch
    await stopped;
    clearTimeout(timer);
    this.#terminate();
  }

  /** The loop's last report (about once a second). */
  stats(): CollectorServiceStats {
    const listeners = [...this.#listeners, ...this.#unresolved].map((l) => ({ ...l }));
    return { ...this.#stats, kernel_drops: listeners.reduce((n, l) => n + l.kernel_drops, 0), listeners };
  }

  /** The configured listeners as IP literals; those that do not resolve are kept as failed. */
  async #resolve(): Promise<ListenerSpec[]> {
    const specs: ListenerSpec[] = [];
    this.#unresolved = [];
    for (const l of this.#o.listeners) {
      const address = l.hostname.includes(":") ? `[${l.hostname}]:${l.port}` : `${l.hostname}:${l.port}`;
      try {
        const ip = await resolveBind(l.hostname);
        specs.push({ name: l.name, address, family: ip.family, words: [...ip.words], port: l.port });
      } catch (e) {
        this.#unresolved.push({
          name: l.name,
          address,
          listening: false,
          error: (e as Error).message,
          port: l.port,
          rcvbuf_bytes: 0,
          datagrams: 0,
          kernel_drops: 0,
        });
      }
    }
    return specs;
  }

  #options(listeners: ListenerSpec[]) {
    return {
      listeners,
      rcvbufBytes: this.#o.rcvbufBytes,
      sampling: this.#o.sampling,
      limits: this.#o.limits,
    };
  }

  async #startWorker(listeners: ListenerSpec[], listening: Promise<void>): Promise<void> {
    const ring = new BatchRing(
      { slots: this.#o.ringSlots ?? 16, capacity: DEFAULT_RECORD_ROWS },
      RECORD_BATCH_LAYOUT,
    );
    this.#ring = ring;
    const worker = new Worker(new URL("./collector_worker.ts", import.meta.url), {
      type: "module",
      name: "flintnet-netflow",
    });
    this.#worker = worker;
    const failed = new Promise<never>((_, reject) => {
      const timer = setTimeout(
        () => reject(new Error("the NetFlow collector worker did not start")),
        START_TIMEOUT_MS,
      );
      listening.then(() => clearTimeout(timer));
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault(); // a failed worker must not take the daemon down
        this.#log.error("NetFlow collector worker failed", { error: e.message });
        clearTimeout(timer);
        reject(new Error(`NetFlow collector worker failed: ${e.message}`));
      };
    });
    worker.onmessage = (e: MessageEvent<FromCollectorWorker>) => {
      const m = e.data;
      if (m.type !== "batch") return this.#receive(m);
      const b = ring.batch(m.slot);
      b.count = m.count;
      this.#deliver(b);
      ring.release();
    };
    const msg: CollectorStart = { type: "start", ...this.#options(listeners), ring: ring.shape };
    worker.postMessage(msg);
    try {
      await Promise.race([listening, failed]);
    } catch (e) {
      this.#terminate();
      throw e;
    }
  }

  #deliver(b: FlowRecordBatch): void {
    try {
      this.#o.onRecords(b);
    } catch (e) {
      this.#log.error("flow record consumer failed", { error: e });
    }
  }

  #receive(m: FromCollector): void {
    switch (m.type) {
      case "listening":
        this.#listeners = m.listeners;
        this.#onListening?.();
        break;
      case "exporter":
        this.#log.info("new flow exporter", { exporter: m.address });
        try {
          this.#o.onExporter?.(m.address);
        } catch (e) {
          this.#log.error("exporter consumer failed", { exporter: m.address, error: e });
        }
        break;
      case "interfaces":
        try {
          this.#o.onInterfaceCounters?.(m.counters);
        } catch (e) {
          this.#log.error("interface counters consumer failed", { error: e });
        }
        break;
      case "stats":
        this.#stats = m.collector;
        this.#listeners = m.listeners;
        break;
      case "log":
        this.#log[m.level](m.msg, m.fields);
        break;
      case "stopped":
        this.#onStopped?.();
        break;
    }
  }

  #terminate(): void {
    const w = this.#worker;
    if (!w) return;
    this.#worker = null;
    w.onmessage = null;
    w.onerror = null;
    w.terminate();
  }
}
