/**
 * The collector's receive loop: opens the NetFlow, IPFIX and sFlow sockets, polls them off-thread, drains them
 * with recvmmsg, decodes every datagram with a NetflowCollector and hands full batches on; once a
 * second it reports its counters. A listener that cannot bind is reported and left off; the other
 * keeps working. It runs in the collector Worker, or in-process (see CollectorService).
 */
import { LibcError } from "../net/mod.ts";
import { type CollectorLimits, NetflowCollector, type SamplingOverride } from "./collector.ts";
import type { CollectorStats } from "./collector_stats.ts";
import type { FlowRecordBatch } from "./flow_record.ts";
import type { PortCounters } from "../events/mod.ts";
import { DatagramBatch, kernelDrops, type UdpBind, UdpSocket, waitReadable } from "./udp_socket.ts";

/** One socket to open. */
export interface ListenerSpec extends UdpBind {
  /** "netflow", "ipfix" or "sflow": what the setting calls it. */
  name: string;
  /** host:port as configured, for messages. */
  address: string;
}

/** What the loop opens and how it decodes. */
export interface LoopOptions {
  listeners: ListenerSpec[];
  /** Receive buffer asked for each socket, octets. */
  rcvbufBytes: number;
  sampling: SamplingOverride[];
  limits?: Partial<CollectorLimits>;
}

/**
 * How filled batches leave the loop: the first batch to fill, and `next(full)` handing a full one on
 * and returning the one to fill next (the same one again, once it was consumed in place).
 */
export interface BatchHandOff {
  first: FlowRecordBatch;
  next(full: FlowRecordBatch): FlowRecordBatch;
}

/** How one listener is doing. */
export interface ListenerStatus {
  /** "netflow", "ipfix" or "sflow". */
  name: string;
  /** host:port as configured. */
  address: string;
  /** Bound and receiving. */
  listening: boolean;
  /** Why it is not, else null. */
  error: string | null;
  /** The port bound (differs from the configured one only for port 0). */
  port: number;
  /** The receive buffer the kernel granted, octets. */
  rcvbuf_bytes: number;
  /** Datagrams read from it. */
  datagrams: number;
  /** Datagrams the kernel dropped because the buffer was full (/proc/net/udp). */
  kernel_drops: number;
}

/** What the loop reports (posted by the Worker, or handled in-process). */
export type FromCollector =
  | { type: "listening"; listeners: ListenerStatus[] }
  | { type: "exporter"; address: string }
  | { type: "interfaces"; counters: PortCounters[] }
  | { type: "stats"; collector: CollectorStats; listeners: ListenerStatus[] }
  | { type: "log"; level: "info" | "warn" | "error"; msg: string; fields?: Record<string, unknown> }
  | { type: "stopped" };

/** How the loop talks to its parent. */
export type PostCollector = (msg: FromCollector) => void;

/** The longest a stop request waits for the current poll, ms. */
const POLL_MS = 200;
/** recvmmsg calls per socket before the other socket and the flush get a turn. */
const ROUNDS = 16;
const STATS_MS = 1000;

/** The receive loop; exported so tests and the bench can drive it in-process. */
export class CollectorLoop {
  readonly #o: LoopOptions;
  readonly #post: PostCollector;
  readonly #collector: NetflowCollector;
  readonly #datagrams = new DatagramBatch();
  readonly #sockets: UdpSocket[] = [];
  readonly #status: ListenerStatus[] = [];
  /** For each open socket: its status entry and its inode (for /proc/net/udp). */
  readonly #bound: { status: ListenerStatus; inode: number }[] = [];
  readonly #pollfds = new Uint8Array(8 * 4);
  /** sFlow interface counters decoded since the last post (bounded by the collector, per tick). */
  #counters: PortCounters[] = [];
  #stopping = false;

  constructor(o: LoopOptions, post: PostCollector, handOff: BatchHandOff) {
    this.#o = o;
    this.#post = post;
    this.#collector = new NetflowCollector({
      batch: handOff.first,
      sampling: o.sampling,
      limits: o.limits,
      onBatch: (b) => handOff.next(b),
      onExporter: (e) => post({ type: "exporter", address: e.address }),
      onInterfaceCounters: (c) => void this.#counters.push(c),
    });
  }

  /** Opens the sockets, then receives until stop(); never rejects. */
  async run(): Promise<void> {
    this.#open();
    this.#post({ type: "listening", listeners: this.#status.map((s) => ({ ...s })) });
    const timer = setInterval(() => this.#report(), STATS_MS);
    try {
      while (!this.#stopping) {
        if (this.#sockets.length === 0) {
          await new Promise((r) => setTimeout(r, POLL_MS));
          continue;
        }
        const ready = await waitReadable(this.#sockets, this.#pollfds, POLL_MS);
        for (let i = 0; i < this.#sockets.length; i++) if (ready & (1 << i)) this.#drain(i);
        this.#collector.flush();
        this.#postCounters();
      }
    } catch (e) {
      this.#post({
        type: "log",
        level: "error",
        msg: "NetFlow collector loop failed",
        fields: { error: String(e) },
      });
    } finally {
      clearInterval(timer);
      this.#collector.flush();
      this.#postCounters();
      this.#report();
      for (const s of this.#sockets) s.close();
      this.#post({ type: "stopped" });
    }
  }

  /** Asks run() to finish within one poll. */
  stop(): void {
    this.#stopping = true;
  }

  #open(): void {
    for (const l of this.#o.listeners) {
      const status: ListenerStatus = {
        name: l.name,
        address: l.address,
        listening: false,
        error: null,
        port: l.port,
        rcvbuf_bytes: 0,
        datagrams: 0,
        kernel_drops: 0,
      };
      try {
        const s = UdpSocket.open(l, this.#o.rcvbufBytes);
        this.#sockets.push(s);
        this.#bound.push({ status, inode: s.inode() });
        Object.assign(status, { listening: true, port: s.port, rcvbuf_bytes: s.rcvbufBytes });
      } catch (e) {
        status.error = e instanceof LibcError ? e.message : String(e);
      }
      this.#status.push(status);
    }
  }

  #drain(i: number): void {
    const s = this.#sockets[i], d = this.#datagrams, c = this.#collector;
    const st = this.#bound[i].status;
    for (let round = 0; round < ROUNDS; round++) {
      let n: number;
      try {
        n = s.receive(d);
      } catch (e) {
        this.#post({ type: "log", level: "warn", msg: "NetFlow socket error", fields: { error: String(e) } });
        return;
      }
      if (n === 0) return;
      const now = Date.now();
      for (let k = 0; k < n; k++) c.decode(d.slots[k], d.length[k], d.family[k], d.words, k << 2, now);
      st.datagrams += n;
      if (n < d.length.length) return; // the socket is empty
    }
  }

  #postCounters(): void {
    if (this.#counters.length === 0) return;
    this.#post({ type: "interfaces", counters: this.#counters });
    this.#counters = [];
  }

  #report(): void {
    const now = Date.now();
    this.#collector.tick(now);
    for (const o of this.#bound) o.status.kernel_drops = kernelDrops(o.inode);
    this.#post({
      type: "stats",
      collector: this.#collector.stats(),
      listeners: this.#status.map((s) => ({ ...s })),
    });
  }
}
