/**
 * The Server-Sent-Events hub behind `GET /stream`: one bus subscription fanned out to every client.
 *
 * Each bus event is framed once (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation)
 * into bytes shared by every client, kept in a replay ring for `Last-Event-ID` resumes, and handed to
 * each client's own bounded queue. `stats` snapshots (6 KB every 2 s) have a short ring of their own, as
 * many as the dashboard's charts show: in the one ring they were nearly all of its bytes — 16 MiB held an
 * hour and a half of them on a quiet network, crowding out the events a resume is for.
 *
 * Events arriving within `flushMs` of the previous hand-out go out together as one chunk, so a busy bus
 * costs each client one write per `flushMs`, not one per event.
 *
 * A client's queue only grows while the socket under it is full (the runtime takes chunks as fast as
 * the kernel accepts them). When it holds `clientQueue` events the client is dropped: its queue is
 * freed and its stream ends, so a reader that stopped costs nothing more and delays nobody else.
 */
import type { EventBus, EventKind, PublishedEvent, Subscription } from "../events/mod.ts";
import { createLogger, positive, positiveInteger, RingBuffer } from "../base/mod.ts";
import { BadParameter } from "./errors.ts";
import { SseClient } from "./sse_client.ts";

/** Every kind a client may ask for with `?types=` (some are published by detectors still to come). */
export const STREAM_KINDS = [
  "anomaly",
  "security",
  "interface",
  "device",
  "topology",
  "trap",
  "advisory",
  "stats",
] as const;

/** A kind of event on the stream. */
export type StreamKind = typeof STREAM_KINDS[number];

// A kind added to events.ts must be listed above, or no client could ask for it: this stops compiling.
type Listed<T extends true> = T;
type _EveryEventKindIsListed = Listed<EventKind extends StreamKind ? true : false>;

/** How the hub behaves; every field has a default fit for the daemon. */
export interface SseHubOptions {
  /** Events kept for `Last-Event-ID` resumes. @default 10000 */
  replay?: number;
  /**
   * Bytes those events may take at most: device events carry a whole device (kilobytes with many
   * interfaces), so a count alone would not bound the memory. @default 16 MiB
   */
  replayBytes?: number;
  /**
   * `stats` events kept for resumes, apart from the others: the newest, enough to refill the dashboard's
   * 15-minute charts at the 2-s ticker. @default 450
   */
  replayStats?: number;
  /** Events a client may have waiting before it is dropped. @default 1000 */
  clientQueue?: number;
  /** Interval of the `: hb` comment that keeps proxies from closing idle streams, ms. @default 15000 */
  heartbeatMs?: number;
  /**
   * Events arriving within this many ms of the last hand-out are sent together (an event after a
   * quiet spell goes at once). Fewer, larger writes per client are what let one core serve 1,000
   * clients at 1,000 events/s (tests/bench/sse_fanout.ts). @default 50
   */
  flushMs?: number;
}

/** What one client asks for. */
export interface ConnectOptions {
  /** The `Last-Event-ID` to resume after (a whole number); absent or "" for live events only. */
  lastEventId?: string;
  /** Only these kinds (all when absent); the `gap` notice is always sent. */
  types?: string[];
  /** Ends the stream and forgets the client when aborted. */
  signal?: AbortSignal;
}

/** Default of {@link SseHubOptions.flushMs}. */
export const DEFAULT_FLUSH_MS = 50;

/** How long the browser waits before reconnecting, sent at the start of every stream (ms). */
const RETRY_MS = 3000;
/** How long stop() lets clients take what is already queued before their streams are cut. */
const STOP_GRACE_MS = 1000;
const MAX_ID_DIGITS = 15; // Number.MAX_SAFE_INTEGER has 16 digits: 15 always fit.

/** One event framed once, shared by every client that gets it. */
interface Framed {
  id: number;
  kind: string;
  bytes: Uint8Array;
}

/**
 * Frames one SSE message. Every line of `data` becomes its own `data:` field, so the client's parser
 * rebuilds it exactly (it joins them with "\n"); CR, LF and CRLF all end a line in the spec.
 */
export function formatSseMessage(message: { event?: string; data: string; id?: number }): string {
  let out = message.event === undefined ? "" : `event: ${message.event}\n`;
  for (const line of message.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  if (message.id !== undefined) out += `id: ${message.id}\n`;
  return out + "\n";
}

/** Parses a Last-Event-ID; throws BadParameter naming `parameter` unless it is a whole number. */
export function parseLastEventId(value: string, parameter = "Last-Event-ID"): number {
  if (value.length > MAX_ID_DIGITS || !/^[0-9]+$/.test(value)) {
    throw new BadParameter(
      parameter,
      `${parameter}=${JSON.stringify(value)} is not valid: expected the id of an event, ` +
        `a whole number of at most ${MAX_ID_DIGITS} digits`,
    );
  }
  return Number(value);
}

/** Parses `?types=` (comma-separated kinds); throws BadParameter naming `types` on an unknown kind. */
export function parseStreamTypes(value: string): StreamKind[] {
  const kinds = value.split(",").map((k) => k.trim());
  const bad = kinds.find((k) => !(STREAM_KINDS as readonly string[]).includes(k));
  if (bad !== undefined) {
    const why = bad === "" ? "a kind is empty" : `"${bad}" is not a kind`;
    throw new BadParameter(
      "types",
      `types=${JSON.stringify(value)} is not valid: ${why}; expected one or more of ` +
        `${STREAM_KINDS.join(", ")}, separated by commas`,
    );
  }
  return [...new Set(kinds as StreamKind[])];
}

/** Fans the bus out to SSE clients. */
export class SseHub {
  readonly #log = createLogger("sse");
  readonly #bus: EventBus;
  readonly #replay: RingBuffer<Framed>;
  readonly #replayMaxBytes: number;
  #replayBytes = 0;
  /** The newest `stats` events, for resumes (they are not in #replay). */
  readonly #replayStats: RingBuffer<Framed>;
  /** Every event but `stats` from this id on is in #replay: a resume from before it has missed some. */
  #replayComplete = 1;
  readonly #clientQueue: number;
  readonly #heartbeatMs: number;
  readonly #flushMs: number;
  readonly #encoder = new TextEncoder();
  readonly #heartbeat: Uint8Array;
  readonly #retry: Uint8Array;
  readonly #clients = new Set<SseClient>();
  #dropped = 0;
  #subscription: Subscription | undefined;
  #timers: ReturnType<typeof setInterval>[] = [];
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #flushScheduled = false;
  #lastFlush = -Infinity;
  #pending: Framed[] = [];
  /** Id of the last event the hub received (events before start() are out of reach). */
  #lastSeen = 0;
  /** Id of the last event handed to clients: a resume replays up to here, the next flush does the rest. */
  #flushedId = 0;
  #started = false;
  #stopped = false;

  constructor(bus: EventBus, opts: SseHubOptions = {}) {
    this.#bus = bus;
    this.#replay = new RingBuffer(positiveInteger("replay", opts.replay ?? 10_000));
    this.#replayMaxBytes = positiveInteger("replayBytes", opts.replayBytes ?? 16 * 1024 * 1024);
    this.#replayStats = new RingBuffer(positiveInteger("replayStats", opts.replayStats ?? 450));
    this.#clientQueue = positiveInteger("clientQueue", opts.clientQueue ?? 1000);
    this.#heartbeatMs = positive("heartbeatMs", opts.heartbeatMs ?? 15_000);
    this.#flushMs = opts.flushMs ?? DEFAULT_FLUSH_MS;
    if (!(this.#flushMs >= 0)) throw new RangeError(`flushMs must be ≥ 0, got ${opts.flushMs}`);
    this.#heartbeat = this.#encoder.encode(": hb\n\n");
    this.#retry = this.#encoder.encode(`retry: ${RETRY_MS}\n\n`);
  }

  /** Subscribes to the bus and starts the heartbeat timer. */
  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#lastSeen = this.#flushedId = this.#bus.lastId;
    this.#replayComplete = this.#lastSeen + 1;
    this.#subscription = this.#bus.subscribe((e) => this.#receive(e), {
      name: "sse",
      capacity: Math.max(this.#replay.capacity, 10_000),
    });
    this.#timers.push(setInterval(() => this.#beat(), this.#heartbeatMs));
  }

  /**
   * Hands out what is pending, ends every stream (after what is already queued, for at most
   * a second) and clears every timer, so nothing keeps the process alive.
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#subscription?.unsubscribe();
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    this.#flush();
    const clients = [...this.#clients];
    let grace: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => grace = setTimeout(resolve, STOP_GRACE_MS));
    await Promise.race([Promise.all(clients.map((c) => c.close())), timeout]);
    clearTimeout(grace);
    for (const c of clients) c.cut();
    this.#clients.clear();
    this.#replay.clear();
    this.#replayStats.clear();
    this.#replayBytes = 0;
  }

  /** Clients connected now. */
  get clientCount(): number {
    return this.#clients.size;
  }

  /** Clients dropped so far because they stopped reading. */
  get droppedClients(): number {
    return this.#dropped;
  }

  /**
   * Opens a stream: `retry:`, then (when resuming) a `gap` notice if events were lost and the
   * buffered events after `lastEventId`, then live events. Throws BadParameter on a bad
   * `lastEventId` (naming Last-Event-ID) or an unknown kind (naming types).
   */
  connect(opts: ConnectOptions = {}): Response {
    const after = opts.lastEventId ? parseLastEventId(opts.lastEventId) : undefined;
    const kinds = opts.types ? parseStreamTypes(opts.types.join(",")) : undefined;
    const client = new SseClient(this.#clientQueue, kinds, (c) => this.#clients.delete(c));
    client.send(this.#retry, 0);
    if (this.#stopped || opts.signal?.aborted) {
      client.close();
    } else {
      if (after !== undefined) this.#resume(client, after);
      this.#clients.add(client);
      const signal = opts.signal;
      if (signal) {
        const onAbort = () => client.cut();
        signal.addEventListener("abort", onAbort, { once: true });
        client.finished.then(() => signal.removeEventListener("abort", onAbort));
      }
    }
    return new Response(client.stream, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        // Reverse proxies (nginx) would otherwise hold events back to fill their buffers.
        "x-accel-buffering": "no",
      },
    });
  }

  #resume(client: SseClient, after: number): void {
    const buffered = mergeById(this.#replay.toArray(), this.#replayStats.toArray());
    // Stats snapshots older than their ring are not a gap: the next one says everything they said.
    const first = this.#replayComplete;
    // An id beyond anything seen comes from an earlier run of the daemon (ids restart at 1).
    const restarted = after > this.#lastSeen;
    if (restarted) after = 0;
    if (restarted || after + 1 < first) {
      const data = JSON.stringify({
        missed_from: after + 1,
        resumed_at: first,
        ...(restarted ? { restarted: true } : {}),
      });
      client.send(this.#encoder.encode(formatSseMessage({ event: "gap", data })), 0);
    }
    for (const f of buffered) {
      if (f.id > after && f.id <= this.#flushedId && client.wants(f.kind)) client.send(f.bytes, 0);
    }
  }

  #receive(e: PublishedEvent): void {
    if (this.#stopped) return;
    this.#lastSeen = e.id;
    const data = JSON.stringify(e);
    const framed = {
      id: e.id,
      kind: e.kind,
      bytes: this.#encoder.encode(formatSseMessage({ event: e.kind, data, id: e.id })),
    };
    if (framed.kind === "stats") this.#replayStats.push(framed);
    else this.#keepForReplay(framed);
    this.#pending.push(framed);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    const wait = this.#lastFlush + this.#flushMs - performance.now();
    // After a quiet spell the batch is whatever this bus delivery carries (a microtask later).
    if (wait <= 0) queueMicrotask(() => this.#flush());
    else this.#flushTimer = setTimeout(() => this.#flush(), wait);
  }

  /** Keeps an event for resumes within the count and byte bounds, the oldest going first. */
  #keepForReplay(framed: Framed): void {
    const pushedOut = this.#replay.push(framed);
    if (pushedOut) this.#replayComplete = pushedOut.id + 1;
    this.#replayBytes += framed.bytes.length - (pushedOut?.bytes.length ?? 0);
    while (this.#replayBytes > this.#replayMaxBytes && this.#replay.length > 1) {
      const gone = this.#replay.shift()!;
      this.#replayBytes -= gone.bytes.length;
      this.#replayComplete = gone.id + 1;
    }
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (this.#flushTimer !== undefined) clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    if (this.#pending.length === 0) return;
    this.#lastFlush = performance.now();
    const batch = this.#pending;
    this.#pending = [];
    this.#flushedId = batch[batch.length - 1].id;
    // One chunk per distinct filter, built once and shared by every client with that filter.
    const chunks = new Map<string, { bytes: Uint8Array; events: number }>();
    for (const client of this.#clients) {
      let chunk = chunks.get(client.filterKey);
      if (!chunk) {
        chunk = join(batch.filter((f) => client.wants(f.kind)));
        chunks.set(client.filterKey, chunk);
      }
      if (chunk.events > 0 && !client.send(chunk.bytes, chunk.events)) this.#drop(client);
    }
  }

  #beat(): void {
    for (const client of this.#clients) if (!client.send(this.#heartbeat, 1)) this.#drop(client);
  }

  #drop(client: SseClient): void {
    this.#dropped++;
    this.#log.warn("dropped a stream client that stopped reading", {
      queued_events: this.#clientQueue,
      clients: this.#clients.size - 1,
      dropped_total: this.#dropped,
    });
    client.cut(
      this.#encoder.encode(
        `: dropped: ${this.#clientQueue} events were waiting; reconnect with Last-Event-ID\n\n`,
      ),
    );
  }
}

/** Concatenates framed events into one chunk (the event's own bytes when there is one). */
function join(framed: Framed[]): { bytes: Uint8Array; events: number } {
  if (framed.length === 1) return { bytes: framed[0].bytes, events: 1 };
  let size = 0;
  for (const f of framed) size += f.bytes.byteLength;
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const f of framed) {
    bytes.set(f.bytes, at);
    at += f.bytes.byteLength;
  }
  return { bytes, events: framed.length };
}

/** Two lists of events, each in id order, as one in id order. */
function mergeById(a: readonly Framed[], b: readonly Framed[]): Framed[] {
  const out: Framed[] = [];
  let i = 0, j = 0;
  while (i < a.length || j < b.length) {
    out.push(j >= b.length || (i < a.length && a[i].id < b[j].id) ? a[i++] : b[j++]);
  }
  return out;
}
