/**
 * The live stream: `GET /stream` through EventSource, opened with a one-time ticket (`POST /auth/ticket`)
 * so the token never goes into a URL. Because a ticket is spent on first use, the browser's own retry
 * would be refused; this client closes the EventSource on any error and reconnects itself, with backoff
 * and a fresh ticket, resuming after the last event it received (`last_event_id`).
 *
 * Events are not handed on one by one: they are queued and delivered once per animation frame (or every
 * 250 ms when the tab is hidden and frames stop), so 1,000 events a second cost one render a frame.
 *
 * @module
 */
import { signal } from "@preact/signals";
import { request } from "./api.ts";
import type { Session } from "./session.ts";

/** Kinds the dashboard listens for; `gap` says events were missed (or the agent restarted). */
export const EVENT_KINDS = [
  "stats",
  "anomaly",
  "security",
  "interface",
  "device",
  "topology",
  "trap",
  "advisory",
  "gap",
] as const;

/** One event as received. */
export interface StreamEvent {
  /** The SSE `event:` name. */
  kind: typeof EVENT_KINDS[number];
  /** Its `id:` (0 for gap notices). */
  id: number;
  /** The parsed `data:`. */
  data: Record<string, unknown>;
}

/** The stream's state, for the connection indicator. */
export interface ConnectionState {
  /** live: events flow; connecting: first attempt; down: lost, retrying; off: not started. */
  status: "off" | "connecting" | "live" | "down";
  /** When it entered this status (down: when it was lost, kept across retries), epoch ms. */
  since: number;
  /** Reconnection attempts since the stream was lost. */
  attempts: number;
  /** When the next attempt is due (down only), epoch ms. */
  retryAt: number | null;
}

/** The connection indicator's data. */
export const connection = signal<ConnectionState>({
  status: "off",
  since: Date.now(),
  attempts: 0,
  retryAt: null,
});

/** Longest pause between reconnection attempts. */
const MAX_BACKOFF_MS = 10_000;
/** Flush interval when animation frames do not come (hidden tab). */
const FALLBACK_FLUSH_MS = 250;

/** Delay before reconnection attempt `n` (1-based): 0.5 s, 1 s, 2 s … up to 10 s. */
export function backoffMs(n: number): number {
  return Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.max(0, n - 1));
}

/** A running stream; {@link LiveStream.stop} ends it for good. */
export class LiveStream {
  readonly #session: Session;
  readonly #deliver: (batch: StreamEvent[]) => void;
  #source: EventSource | null = null;
  #lastId = 0;
  #queue: StreamEvent[] = [];
  #frame = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #generation = 0;

  /** `deliver` receives the events of one frame, in order. */
  constructor(session: Session, deliver: (batch: StreamEvent[]) => void) {
    this.#session = session;
    this.#deliver = deliver;
  }

  /** Opens the stream. */
  start(): void {
    connection.value = { status: "connecting", since: Date.now(), attempts: 0, retryAt: null };
    void this.#open();
  }

  /** Closes it and forgets pending events. */
  stop(): void {
    this.#stopped = true;
    this.#generation++;
    this.#source?.close();
    this.#source = null;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#timer);
    cancelAnimationFrame(this.#frame);
    this.#queue = [];
    connection.value = { status: "off", since: Date.now(), attempts: 0, retryAt: null };
  }

  /** Reconnects now instead of waiting for the next attempt ("Retry now"). */
  retryNow(): void {
    if (this.#stopped || connection.value.status === "live") return;
    clearTimeout(this.#retryTimer);
    void this.#open();
  }

  async #open(): Promise<void> {
    const gen = ++this.#generation;
    let ticket: string;
    try {
      const res = await request(this.#session, "POST", "/auth/ticket");
      ticket = (await res.json()).ticket;
    } catch {
      if (gen === this.#generation) this.#lost();
      return;
    }
    if (gen !== this.#generation || this.#stopped) return;
    const q = new URLSearchParams({ ticket });
    if (this.#lastId > 0) q.set("last_event_id", String(this.#lastId));
    const es = new EventSource(`${this.#session.url}/stream?${q}`);
    this.#source = es;
    es.onopen = () => {
      if (gen !== this.#generation) return;
      connection.value = { status: "live", since: Date.now(), attempts: 0, retryAt: null };
    };
    es.onerror = () => {
      if (gen !== this.#generation) return;
      // The browser would retry with the spent ticket: close, and retry with a new one.
      es.close();
      this.#source = null;
      this.#lost();
    };
    for (const kind of EVENT_KINDS) {
      es.addEventListener(kind, (m: MessageEvent) => {
        if (gen !== this.#generation) return;
        let data: Record<string, unknown>;
        try {
          data = JSON.parse(m.data);
        } catch {
          return;
        }
        const id = Number(m.lastEventId) || 0;
        if (kind !== "gap" && id > 0) this.#lastId = id;
        if (kind === "gap" && data.restarted === true) this.#lastId = 0;
        this.#push({ kind, id, data });
      });
    }
  }

  #lost(): void {
    if (this.#stopped) return;
    const prev = connection.value;
    const attempts = prev.status === "down" ? prev.attempts + 1 : 1;
    const since = prev.status === "down" ? prev.since : Date.now();
    const wait = backoffMs(attempts);
    connection.value = { status: "down", since, attempts, retryAt: Date.now() + wait };
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => void this.#open(), wait);
  }

  #push(e: StreamEvent): void {
    this.#queue.push(e);
    if (this.#queue.length > 1) return;
    this.#frame = requestAnimationFrame(() => this.#flush());
    this.#timer = setTimeout(() => this.#flush(), FALLBACK_FLUSH_MS);
  }

  #flush(): void {
    cancelAnimationFrame(this.#frame);
    clearTimeout(this.#timer);
    const batch = this.#queue;
    if (batch.length === 0) return;
    this.#queue = [];
    this.#deliver(batch);
  }
}
