/**
 * The capture Worker: one per interface, so a busy ring never stalls the main thread's event loop.
 *
 * It owns a TpacketRing and a Decoder, polls the ring off-thread (nonblocking FFI), walks ready blocks
 * and hands each full (or per-block flushed) PacketBatch to its BatchSender (batch_handoff.ts), which posts
 * it to the main thread by transferring its buffers.
 * An interface that is missing, down, or disappears is not an error to die of: the worker logs, closes
 * the ring, and retries every 2 s until it is back. It never writes to stderr; logs go to the main thread.
 *
 * Started by LiveCapture as
 * `new Worker(new URL("./capture_worker.ts", import.meta.url), { type: "module", name })`.
 * When imported anywhere else (type checks, tests), this module does nothing.
 */
import { Decoder, type FrameSink, LinkType } from "../decode/mod.ts";
import { compileBpfForInterface, PcapActivateError, PcapStatus } from "./bpf.ts";
import { useLibpcap } from "./libpcap_ffi.ts";
import { Errno, errnoName, LibcError } from "../net/mod.ts";
import { type RingStats, TpacketRing } from "./tpacket_ring.ts";
import { RingSizer } from "./ring_sizer.ts";
import { RingHandover } from "./ring_switch.ts";
import { FrameTap, type TapMessage } from "./frame_tap.ts";
import { type BatchMessage, BatchSender, type RecycleMessage } from "./batch_handoff.ts";

/** capturing: ring open; waiting: interface absent; down: interface down or not capturable. */
export type CaptureState = "capturing" | "waiting" | "down";

/** What the decoder reports (Decoder.counters()). */
export type DecodeCounters = ReturnType<Decoder["counters"]>;

/** main → worker: begin capturing. */
export interface StartMessage {
  type: "start";
  /** Interface name. */
  iface: string;
  /** Largest ring size in MiB. */
  ringMb: number;
  /** Ring size at open, MiB; it grows up to ringMb under load (ring_sizer.ts). @default ringMb */
  ringStartMb?: number;
  /** Bytes kept per frame. */
  snaplen: number;
  /** BPF program compiled for Ethernet framing; used as is when no expression is given. */
  filter: Uint8Array;
  /**
   * The expression behind `filter`; when present it is compiled again for the interface at each open
   * (right link type, and `vlan` matching the tag the kernel strips).
   */
  filterExpr?: string;
  /** Ring block size in KiB. */
  blockKb?: number;
  /** Promiscuous mode (default true). */
  promisc?: boolean;
  /** Block retire timeout in ms (default 50). */
  retireTimeoutMs?: number;
  /** The libpcap library (FLINTNET_LIBPCAP) that compiles `filterExpr`. */
  libpcap?: string;
}

/** main → worker: stop, drain, close, then answer "stopped". */
export interface StopMessage {
  type: "stop";
}

/** Messages the worker accepts (TapMessage: what PCAP recording copies, frame_tap.ts). */
export type ToWorker = StartMessage | StopMessage | TapMessage | RecycleMessage;

/** The worker's periodic report. */
export interface StatsMessage {
  type: "stats";
  /** Kernel ring counters, summed over every ring opened by this worker. */
  kernel: RingStats;
  /** Decoder counters. */
  decode: DecodeCounters;
  /** Current state. */
  state: CaptureState;
  /** Times the ring was opened again after the interface came back. */
  reopenCount: number;
  /**
   * Times the Worker stopped reading the ring because the main thread had MAX_WAITING_BATCHES batches still
   * to consume (batch_handoff.ts); meanwhile frames wait in the kernel's ring, which counts what overflows.
   */
  waitsForMain: number;
}

/** Messages the worker sends. */
export type FromWorker =
  | BatchMessage
  | StatsMessage
  | { type: "log"; level: "debug" | "info" | "warn" | "error"; msg: string; fields?: Record<string, unknown> }
  | { type: "stopped" };

/** How a worker talks to its parent. */
export type Post = (msg: FromWorker, transfer?: Transferable[]) => void;

/** Longest time a stop request waits for the current poll. */
const POLL_MS = 200;
/** Pause between attempts to open a missing or down interface. */
const RETRY_MS = 2000;
const STATS_MS = 1000;
/** Poll timeout while an old ring is being emptied after a resize, so it is closed on time. */
const RETIRE_POLL_MS = 20;
/**
 * A read that found less than this much waits COALESCE_MS before polling again, so that blocks gather:
 * in 32 KiB blocks (tpacket_ring.ts), polling as soon as one was ready woke the Worker up to 4,000 times a
 * second at a million frames/s, each wake a poll(2) on Deno's blocking thread and a short batch for the main
 * thread. A few milliseconds of frames is a sliver of any ring (4 MiB holds 30 ms at 1 Gb/s).
 */
const COALESCE_BYTES = 256 * 1024, COALESCE_MS = 1;
const POLLERR = 0x008, POLLHUP = 0x010, POLLNVAL = 0x020;

/** The capture loop of one worker; exported for tests that drive it in-process. */
export class CaptureLoop {
  #opts: StartMessage;
  #post: Post;
  #decoder: Decoder;
  /** Posts the decoder's full batches to the main thread and keeps the buffers it sends back. */
  #sender: BatchSender;
  #ring: TpacketRing | null = null;
  #state: CaptureState = "waiting";
  #reopenCount = 0;
  #waitsForMain = 0;
  /** Whether the main thread is too far behind to read more now (a read stops at the block it happens). */
  readonly #behind = () => this.#sender.behind;
  #everOpened = false;
  #closedTotals: RingStats = { packets: 0, drops: 0, freezes: 0 };
  #stopping = false;
  #wake: (() => void) | null = null;
  #lastProblem = "";
  #reported = false;
  // ---- ring sizing (ring_sizer.ts, ring_switch.ts)
  #sizer: RingSizer;
  #handover: RingHandover;
  /** Kernel drops of the current ring at the last look. */
  #seenDrops = 0;
  /** False once the kernel refused a fanout group: the ring is then opened at its largest size. */
  #canSwitch = true;
  // ----
  // ---- PCAP recording (frame_tap.ts): the sink frames go to — the decoder, or the tap in front of it
  #tap: FrameTap;
  #sink: FrameSink & { vlanHint: number };
  // ----

  constructor(opts: StartMessage, post: Post) {
    this.#opts = opts;
    this.#post = post;
    this.#sizer = new RingSizer({ startMb: opts.ringStartMb ?? opts.ringMb, maxMb: opts.ringMb });
    this.#handover = new RingHandover(opts.retireTimeoutMs ?? 50, (s) => this.#addClosed(s));
    this.#sender = new BatchSender(post, () => this.#wake?.());
    this.#decoder = new Decoder(this.#sender);
    this.#tap = new FrameTap(this.#decoder);
    this.#sink = this.#decoder;
  }

  /** Arms, changes or disarms the frame tap; while it has nothing to do, frames skip it altogether. */
  tap(m: TapMessage): void {
    this.#tap.configure(m);
    this.#sink = this.#tap.armed ? this.#tap : this.#decoder;
  }

  /** Takes back a batch buffer the main thread is done with (batch_handoff.ts). */
  recycle(buffer: ArrayBuffer): void {
    this.#sender.recycle(buffer);
  }

  /** Runs until stop(); never rejects. */
  async run(): Promise<void> {
    const timer = setInterval(() => this.#postStats(), STATS_MS);
    try {
      while (!this.#stopping) {
        try {
          if (!this.#ring) {
            if (!this.#tryOpen()) await this.#sleep(RETRY_MS);
            continue;
          }
          const ring = this.#ring;
          if (this.#sender.behind) {
            // The main thread is behind: its batches stay bounded and the frames wait in the kernel's ring,
            // which grows as a read finding them would have it grow (else it could only drop). An old ring
            // being retired is still read, so that closing it loses nothing. recycle() wakes this as soon
            // as the main thread catches up.
            this.#waitsForMain++;
            this.#handover.readOld(this.#sink, ring, Date.now());
            this.#resize(ring, ring.readyBlocks(), 0);
            await this.#sleep(this.#handover.retiring > 0 ? RETIRE_POLL_MS : POLL_MS);
            continue;
          }
          const revents = await ring.wait(this.#handover.retiring > 0 ? RETIRE_POLL_MS : POLL_MS);
          this.#handover.readOld(this.#sink, ring, Date.now());
          const bytesBefore = ring.bytesRead;
          const blocks = ring.readReady(this.#sink, this.#behind);
          if (revents & (POLLERR | POLLHUP | POLLNVAL)) {
            this.#lost(ring, revents);
            await this.#sleep(RETRY_MS); // a link that flaps must not turn into a busy open/close loop
          } else {
            const bytes = ring.bytesRead - bytesBefore;
            this.#resize(ring, blocks, bytes);
            if (blocks > 0 && bytes < COALESCE_BYTES) await this.#sleep(COALESCE_MS);
          }
        } catch (e) {
          // Nothing here should throw; if something does, start over rather than die.
          this.#log("error", "capture loop failed; reopening", { iface: this.#opts.iface, error: e });
          this.#closeRing();
          this.#setState("down");
          await this.#sleep(RETRY_MS);
        }
      }
      this.#handover.readOld(this.#sink, this.#ring, Date.now(), true);
      await this.#drain();
    } finally {
      clearInterval(timer);
      this.#closeRing();
      this.#postStats();
      this.#post({ type: "stopped" });
    }
  }

  /** Asks run() to finish: it drains what the kernel already captured, closes the ring and returns. */
  stop(): void {
    this.#stopping = true;
    this.#wake?.();
  }

  /** Opens a ring of `ringMb` on the interface, in fanout group `group` (0: a new one) unless undefined. */
  #openRing(ringMb: number, group: number | undefined): TpacketRing {
    const o = this.#opts;
    return TpacketRing.open(o.iface, {
      ringMb,
      snaplen: o.snaplen,
      blockKb: o.blockKb,
      promisc: o.promisc,
      retireTimeoutMs: o.retireTimeoutMs,
      fanoutGroup: group,
      // From an expression, compile for this very interface so `vlan` tests the tag the kernel strips.
      filter: (linkType) => {
        if (o.filterExpr !== undefined) return compileBpfForInterface(o.filterExpr, o.snaplen, o.iface);
        if (linkType === LinkType.Ethernet) return o.filter;
        throw new Error(`the filter was compiled for Ethernet but ${o.iface} has link type ${linkType}`);
      },
    });
  }

  /**
   * After a read: re-opens the ring at the size the sizer asks for (ring_switch.ts), keeping the
   * current one when that is not possible (another switch finishing, no memory for a larger ring).
   */
  #resize(ring: TpacketRing, blocks: number, bytes: number): void {
    if (!this.#canSwitch || this.#sizer.maxMb === this.#sizer.startMb) return;
    const drops = ring.stats().drops;
    const newDrops = drops - this.#seenDrops;
    this.#seenDrops = drops;
    const now = Date.now();
    const fromMb = (ring.blockCount * ring.blockSize) / 1048576;
    const mb = this.#sizer.afterRead(now, blocks, ring.blockCount, bytes, newDrops);
    if (mb === 0) return;
    let next: TpacketRing | null;
    // Timed: nothing reads the old ring while the new one is opened (the kernel allocates its blocks), and
    // a slow open is when a burst can overflow it.
    const opening = performance.now();
    try {
      next = this.#handover.switchFrom(ring, (group) => this.#openRing(mb, group), now);
    } catch (e) {
      this.#log("warn", "cannot re-open the capture ring; keeping its size", {
        iface: this.#opts.iface,
        from_mb: fromMb,
        to_mb: mb,
        error: e instanceof Error ? e.message : String(e),
      });
      next = null;
    }
    if (next === null) {
      this.#sizer.keep(fromMb);
      return;
    }
    this.#ring = next;
    this.#seenDrops = 0;
    this.#log("info", "capture ring re-opened", {
      iface: this.#opts.iface,
      from_mb: fromMb,
      to_mb: mb,
      blocks: next.blockCount,
      reason: this.#sizer.reason,
      open_ms: Math.round((performance.now() - opening) * 10) / 10,
    });
  }

  /** Opens the ring; on failure records the state, logs once per distinct problem, and returns false. */
  #tryOpen(): boolean {
    const o = this.#opts;
    try {
      this.#sizer.reset(Date.now());
      this.#seenDrops = 0;
      try {
        this.#ring = this.#canSwitch
          ? this.#openRing(this.#sizer.sizeMb, 0)
          : this.#openRing(this.#sizer.maxMb, undefined);
      } catch (e) {
        if (
          !(this.#canSwitch && e instanceof LibcError && e.message.startsWith("setsockopt(PACKET_FANOUT)"))
        ) throw e;
        // A kernel without fanout selectors (before 4.19): one ring at the largest size, as before.
        this.#canSwitch = false;
        this.#log("warn", "capture ring cannot be resized here; opening it at its largest size", {
          iface: o.iface,
          error: e.message,
        });
        this.#ring = this.#openRing(this.#sizer.maxMb, undefined);
      }
    } catch (e) {
      const { state, level } = classify(e);
      const problem = e instanceof Error ? e.message : String(e);
      if (problem !== this.#lastProblem) {
        this.#lastProblem = problem;
        const msg = state === "waiting" ? "capture interface not found" : "cannot capture";
        this.#log(level, `${msg}; retrying every 2 s`, { iface: o.iface, error: problem });
      }
      this.#setState(state);
      return false;
    }
    const ring = this.#ring;
    if (this.#everOpened) this.#reopenCount++;
    this.#everOpened = true;
    this.#lastProblem = "";
    this.#log("info", "capturing", {
      iface: o.iface,
      ifindex: ring.ifindex,
      linkType: ring.linkType,
      blocks: ring.blockCount,
      blockBytes: ring.blockSize,
      reopenCount: this.#reopenCount,
    });
    this.#setState("capturing");
    return true;
  }

  /** The interface went down or away: keep what was captured, close, and go back to retrying. */
  #lost(ring: TpacketRing, revents: number): void {
    const errno = ring.pendingError();
    this.#log("warn", "capture interface went down or away; retrying every 2 s", {
      iface: this.#opts.iface,
      error: errno ? errnoName(errno) : `poll revents 0x${revents.toString(16)}`,
    });
    this.#decoder.flush();
    this.#closeRing();
    this.#lastProblem = "";
    this.#setState("down");
  }

  /** Frames still in the current block reach user space within two retire timeouts; wait that long once. */
  async #drain(): Promise<void> {
    const ring = this.#ring;
    if (ring) {
      const deadline = Date.now() + 3 * (this.#opts.retireTimeoutMs ?? 50);
      for (let left = deadline - Date.now(); left > 0 && !ring.closed; left = deadline - Date.now()) {
        await ring.wait(left);
        ring.readReady(this.#sink);
      }
    }
    this.#decoder.flush();
  }

  #closeRing(): void {
    this.#handover.closeAll();
    const ring = this.#ring;
    if (!ring) return;
    this.#ring = null;
    ring.close();
    this.#addClosed(ring.stats());
  }

  /** Adds a closed ring's final counters to the totals reported. */
  #addClosed(s: RingStats): void {
    this.#closedTotals.packets += s.packets;
    this.#closedTotals.drops += s.drops;
    this.#closedTotals.freezes += s.freezes;
  }

  #setState(state: CaptureState): void {
    if (this.#reported && state === this.#state) return;
    this.#reported = true;
    this.#state = state;
    this.#postStats(); // state changes are reported at once; LiveCapture.start() waits for the first one
  }

  #postStats(): void {
    const k = this.#ring ? this.#ring.stats() : { packets: 0, drops: 0, freezes: 0 };
    const t = this.#closedTotals;
    this.#post({
      type: "stats",
      kernel: { packets: t.packets + k.packets, drops: t.drops + k.drops, freezes: t.freezes + k.freezes },
      decode: this.#decoder.counters(),
      state: this.#state,
      reopenCount: this.#reopenCount,
      waitsForMain: this.#waitsForMain,
    });
  }

  #log(level: "debug" | "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>): void {
    if (fields?.error instanceof Error) fields = { ...fields, error: fields.error.message };
    this.#post({ type: "log", level, msg, fields });
  }

  /** A pause that stop() cuts short. */
  #sleep(ms: number): Promise<void> {
    if (this.#stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.#wake = finish;
    });
  }
}

/** What a failed open means: an absent interface waits, a down one is "down", anything else is an error. */
function classify(e: unknown): { state: CaptureState; level: "warn" | "error" } {
  if (e instanceof LibcError) {
    if (e.errno === Errno.ENODEV || e.errno === Errno.ENXIO) return { state: "waiting", level: "warn" };
    if (e.errno === Errno.ENETDOWN) return { state: "down", level: "warn" };
  }
  if (e instanceof PcapActivateError) {
    if (e.status === PcapStatus.NoSuchDevice) return { state: "waiting", level: "warn" };
    if (e.status === PcapStatus.IfaceNotUp) return { state: "down", level: "warn" };
  }
  return { state: "down", level: "error" };
}

/** The parts of a worker's global scope used here. */
interface WorkerScope {
  postMessage(msg: unknown, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
}

function isWorkerScope(): boolean {
  const ctor = (globalThis as { WorkerGlobalScope?: abstract new () => unknown }).WorkerGlobalScope;
  return typeof ctor === "function" && globalThis instanceof ctor;
}

// Only as a Worker entry point does this module act: it then waits for its "start" message.
if (isWorkerScope()) {
  const scope = globalThis as unknown as WorkerScope;
  const post: Post = (msg, transfer) => scope.postMessage(msg, transfer ?? []);
  let loop: CaptureLoop | null = null;
  scope.onmessage = (e) => {
    const m = e.data;
    if (m.type === "start" && !loop) {
      if (m.libpcap) useLibpcap(m.libpcap);
      loop = new CaptureLoop(m, post);
      void loop.run();
    } else if (m.type === "tap") {
      loop?.tap(m);
    } else if (m.type === "recycle") {
      loop?.recycle(m.buffer);
    } else if (m.type === "stop") {
      if (loop) loop.stop();
      else post({ type: "stopped" });
    }
  };
}
