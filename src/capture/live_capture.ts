/**
 * Live capture on one interface, seen from the main thread.
 *
 * The ring, the decoder and the polling live in a Worker (capture_worker.ts); what arrives here is
 * decoded PacketBatches, handed to the consumer in order, plus a stats report every second and log
 * lines, which go out through the "capture" logger.
 */
import type { BatchConsumer } from "../decode/mod.ts";
import { createLogger, type Logger } from "../base/mod.ts";
import { compileBpf } from "./bpf.ts";
import type { CaptureState, DecodeCounters, FromWorker, StartMessage } from "./capture_worker.ts";
import { type BatchCounts, BatchReceiver } from "./batch_handoff.ts";
import type { RingStats } from "./tpacket_ring.ts";
import type { TapMessage } from "./frame_tap.ts";

/** Options of a {@link LiveCapture}. */
export interface LiveCaptureOptions {
  /** Interface name, e.g. "eth0". */
  iface: string;
  /** Largest ring size in MiB. */
  ringMb: number;
  /** Ring size at open in MiB; grows up to ringMb when traffic fills it. @default ringMb (fixed size) */
  ringStartMb?: number;
  /** Bytes kept per frame. */
  snaplen: number;
  /** A pcap-filter(7) expression ("" for everything), or a program compiled with compileBpf(). */
  filter: string | Uint8Array;
  /** Receives every decoded batch, on the main thread. */
  consumer: BatchConsumer;
  /** Ring block size in KiB. @default 32 KiB, more when the snaplen needs it (tpacket_ring.ts blockKbFor) */
  blockKb?: number;
  /** Promiscuous mode. @default true */
  promisc?: boolean;
  /** How long the kernel holds a partly filled block, in ms. @default 50 */
  retireTimeoutMs?: number;
  /** Where worker log lines go. @default createLogger("capture") */
  logger?: Logger;
  /** The libpcap library that compiles `filter` in the Worker (FLINTNET_LIBPCAP). @default libpcap.so.0.8 */
  libpcap?: string;
}

/** What a LiveCapture reports. */
export interface LiveCaptureStats extends BatchCounts {
  /** Interface name. */
  iface: string;
  /** The worker's state, or where the LiveCapture itself is in its life. */
  state: CaptureState | "starting" | "stopped";
  /** Times the worker reopened the interface after losing it. */
  reopenCount: number;
  /**
   * Times the worker stopped reading the ring because this thread had 64 batches still to consume (it is
   * behind: frames wait in the kernel's ring, and what overflows it is counted in kernel.drops).
   */
  waitsForMain: number;
  /** Kernel ring counters. */
  kernel: RingStats;
  /** Decoder counters; null until the worker's first report. */
  decode: DecodeCounters | null;
}

/** Longest wait for the worker's first report before start() gives up. */
const START_TIMEOUT_MS = 10_000;
/** Longest wait for the worker to finish after "stop" before it is terminated. */
const STOP_TIMEOUT_MS = 2_000;

/** One capture Worker and the bookkeeping around it. */
export class LiveCapture {
  #opts: LiveCaptureOptions;
  #log: Logger;
  #worker: Worker | null = null;
  #stats: LiveCaptureStats;
  #onReport: (() => void) | null = null;
  #onStopped: (() => void) | null = null;
  #onFailure: ((e: Error) => void) | null = null;
  /** The last tap message, sent again to a Worker started after it. */
  #tap: TapMessage | null = null;
  /** Hands batches to the consumer and their buffers back to the Worker (batch_handoff.ts). */
  #receiver: BatchReceiver;

  constructor(opts: LiveCaptureOptions) {
    this.#opts = opts;
    this.#log = opts.logger ?? createLogger("capture");
    this.#receiver = new BatchReceiver(
      opts.iface,
      opts.consumer,
      (m, transfer) => this.#worker?.postMessage(m, transfer),
      (e) => this.#log.error("batch consumer failed", { iface: opts.iface, error: e }),
    );
    this.#stats = {
      iface: opts.iface,
      state: "stopped",
      reopenCount: 0,
      waitsForMain: 0,
      kernel: { packets: 0, drops: 0, freezes: 0 },
      decode: null,
      batches: 0,
      rows: 0,
      bytes: 0,
    };
  }

  /**
   * Starts the worker; resolves once it reports "capturing", or "waiting"/"down" for an interface that
   * is missing or down (it keeps retrying).
   * @throws BpfError for a bad filter expression, Error if the worker fails to start
   */
  start(): Promise<void> {
    if (this.#worker) return Promise.reject(new Error(`capture on ${this.#opts.iface} is already started`));
    const o = this.#opts;
    let filter: Uint8Array;
    try {
      filter = typeof o.filter === "string" ? compileBpf(o.filter, o.snaplen) : o.filter;
    } catch (e) {
      return Promise.reject(e);
    }
    const worker = new Worker(new URL("./capture_worker.ts", import.meta.url), {
      type: "module",
      name: `flintnet-capture-${o.iface}`,
    });
    this.#worker = worker;
    this.#stats.state = "starting";
    worker.onmessage = (e: MessageEvent<FromWorker>) => this.#receive(e.data);
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault(); // a failed worker must not take the daemon down
      this.#log.error("capture worker failed", { iface: o.iface, error: e.message });
      this.#stats.state = "down";
      this.#onFailure?.(new Error(`capture worker for ${o.iface} failed: ${e.message}`));
    };
    const msg: StartMessage = {
      type: "start",
      iface: o.iface,
      ringMb: o.ringMb,
      ringStartMb: o.ringStartMb,
      snaplen: o.snaplen,
      filter,
      filterExpr: typeof o.filter === "string" ? o.filter : undefined,
      blockKb: o.blockKb,
      promisc: o.promisc,
      retireTimeoutMs: o.retireTimeoutMs,
      libpcap: o.libpcap,
    };
    worker.postMessage(msg);
    if (this.#tap) worker.postMessage(this.#tap);
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => fail(new Error(`capture worker for ${o.iface} did not start`)),
        START_TIMEOUT_MS,
      );
      const settle = () => {
        clearTimeout(timer);
        this.#onReport = null;
        this.#onFailure = null;
      };
      const fail = (e: Error) => {
        settle();
        this.#terminate();
        reject(e);
      };
      this.#onReport = () => {
        settle();
        resolve();
      };
      this.#onFailure = fail;
    });
  }

  /** Stops capturing: the worker drains the ring and closes it; after 2 s it is terminated regardless. */
  async stop(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stopped = new Promise<void>((resolve) => {
      this.#onStopped = resolve;
      timer = setTimeout(() => {
        this.#log.warn("capture worker did not stop in time; terminating it", { iface: this.#opts.iface });
        resolve();
      }, STOP_TIMEOUT_MS);
    });
    worker.postMessage({ type: "stop" });
    await stopped;
    clearTimeout(timer);
    this.#onStopped = null;
    this.#terminate();
  }

  /** Tells the Worker's frame tap what to copy into its ring (PCAP recording); ignored when not started. */
  setTap(m: TapMessage): void {
    this.#tap = m;
    this.#worker?.postMessage(m);
  }

  /** The last report from the worker, with what this side counted. */
  stats(): LiveCaptureStats {
    const s = this.#stats;
    return { ...s, kernel: { ...s.kernel } };
  }

  #receive(m: FromWorker): void {
    switch (m.type) {
      case "batch":
        this.#receiver.receive(m.batch, this.#stats);
        break;
      case "stats":
        this.#stats.state = m.state;
        this.#stats.kernel = m.kernel;
        this.#stats.decode = m.decode;
        this.#stats.reopenCount = m.reopenCount;
        this.#stats.waitsForMain = m.waitsForMain;
        this.#onReport?.();
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
    const worker = this.#worker;
    if (!worker) return;
    this.#worker = null;
    worker.onmessage = null;
    worker.onerror = null;
    worker.terminate();
    this.#stats.state = "stopped";
    this.#onFailure?.(new Error(`capture on ${this.#opts.iface} was stopped before it started`));
  }
}
