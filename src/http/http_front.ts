/**
 * The HTTP server's front door: accepts TCP (or TLS) connections itself, counts them per address and in
 * all, and gives each one deadlines, so a slow or idle client is closed instead of holding a file
 * descriptor for ever.
 *
 * Why not `Deno.serve` alone: measured on Deno 2.9.6 with raw sockets, it keeps a connection that sent
 * half a request header, one that trickles a header byte every 5 s, an idle keep-alive connection and
 * one that declared a body and never sent it, all open for as long as the client likes (75 s and more),
 * and it has no option for a header deadline, an idle timeout or a connection cap. It does not expose
 * connections before their request head is complete, so nothing in front of its handler can help.
 *
 * Why `Deno.serveHttp` behind `Deno.listen`: with the listener our own, a connection is seen (and counted,
 * or refused) when it is accepted, and `serveHttp(conn).nextRequest()` resolves exactly when a request
 * head is complete, so a timer around it is the header deadline (TLS handshake included) and, between
 * requests, the idle timeout; closing the HttpConn ends a pending read at once. Measured here with wrk
 * (one small body, 20 connections): `Deno.serve` 60k requests/s, `serveHttp` 34k, `node:http` 18k, and a
 * byte-pipe proxy in front of `Deno.serve` 11k — the app's own work per request is well below any of them.
 * `Deno.serveHttp` is left out of Deno 2's type declarations ("soft-removed") but present and working; if a
 * Deno ever lacks it, start-up says so in one line (see {@link serveHttpAvailable}).
 *
 * Over TLS, Deno cannot close a connection whose handshake is still pending (the client never sent or
 * finished its hello): the socket stays open after close(). For those the front shuts the socket down
 * through libc (net/socket_shutdown.ts), which ends the handshake and lets Deno drop it.
 *
 * HTTP/1.1 only (no ALPN h2): requests on one connection are answered one after the other, which is what
 * the deadlines are built on, and an event stream holds its own connection.
 *
 * Event streams (text/event-stream) hold their connection until they end: the idle timeout is not applied
 * to them, the per-address cap is. Other response bodies are read into memory first (they are small JSON
 * or CSV pages), so the front knows their size: Deno resolves `respondWith` before the bytes have left,
 * and the idle deadline after a response gives the client time to read it at 64 KiB/s on top.
 */
import { createLogger, type Logger } from "../base/mod.ts";
import { shutdownTcpSocket } from "../net/mod.ts";
import { ConnectionLimits, type Refusal } from "./conn_limits.ts";

/** The deadlines and caps of the front; every one is a FLINTNET_HTTP_* setting. */
export interface FrontLimits {
  /** A request head must be complete this long after the connection opened (TLS handshake included), and a request body this long after its head. */
  readTimeoutMs: number;
  /** A connection with no request in progress is closed after this long. */
  idleTimeoutMs: number;
  /** Open connections at most, in all. */
  maxConnections: number;
  /** Open connections at most from one address (event streams included). */
  maxConnectionsPerAddress: number;
}

/** The settings' defaults, for callers (tests) that give none. */
export const DEFAULT_FRONT_LIMITS: FrontLimits = {
  readTimeoutMs: 10_000,
  idleTimeoutMs: 30_000,
  maxConnections: 512,
  maxConnectionsPerAddress: 32,
};

/** What the handler learns besides the request. */
export interface FrontRequestInfo {
  /** The client's address. */
  remoteAddr: Deno.NetAddr;
  /** Settles once the response has been handed over (rejects when the client went away first). */
  completed: Promise<void>;
}

/** Answers one request. */
export type FrontHandler = (req: Request, info: FrontRequestInfo) => Promise<Response>;

/** Why the front closed a connection itself. */
export type FrontCloseReason = "read_timeout" | "idle_timeout";

/** What the front counted, for /stats. */
export interface FrontCounters {
  /** Connections open now. */
  open: number;
  /** Connections accepted since start. */
  accepted: number;
  /** Refused with 503 because their address had FLINTNET_HTTP_MAX_CONNECTIONS_PER_ADDRESS open. */
  refused_per_address: number;
  /** Refused with 503 because FLINTNET_HTTP_MAX_CONNECTIONS were open. */
  refused_total: number;
  /** Closed because a request head or body did not arrive within FLINTNET_HTTP_READ_TIMEOUT. */
  closed_read_timeout: number;
  /** Closed after FLINTNET_HTTP_IDLE_TIMEOUT without a request. */
  closed_idle_timeout: number;
}

/** Options of {@link HttpFront.listen}. */
export interface FrontOptions {
  /** Address to bind. */
  hostname: string;
  /** TCP port; 0 picks a free one. */
  port: number;
  /** PEM certificate chain and key (their text): HTTPS. */
  tls?: { cert: string; key: string };
  /** Deadlines and caps; the defaults for what is missing. */
  limits?: Partial<FrontLimits>;
  /** @default createLogger("http") */
  log?: Logger;
}

/** `Deno.serveHttp`'s connection, as far as the front uses it (not in Deno 2's type declarations). */
interface HttpConn {
  nextRequest(): Promise<RequestEvent | null>;
  close(): void;
}
interface RequestEvent {
  readonly request: Request;
  respondWith(r: Response): Promise<void>;
}
type ServeHttp = (conn: Deno.Conn) => HttpConn;

function serveHttpFunction(): ServeHttp | undefined {
  const f = (Deno as unknown as { serveHttp?: unknown }).serveHttp;
  return typeof f === "function" ? (f.bind(Deno) as ServeHttp) : undefined;
}

/** Whether this Deno has `Deno.serveHttp`, which the front needs. */
export function serveHttpAvailable(): boolean {
  return serveHttpFunction() !== undefined;
}

/** The slowest reading the front waits for after a response, bytes per second, before the idle timeout starts. */
const MIN_CLIENT_BYTES_PER_S = 64 * 1024;
/** After a response, at least this long before a closing front closes (Deno may still be writing it). */
const MIN_DRAIN_MS = 100;
/** How long a refused connection gets to take its 503 (and the TLS handshake before it). */
const REFUSAL_MS = 2_000;
/** Connections being refused at once at most; beyond that they are closed without an answer. */
const MAX_REFUSING = 64;

interface Open {
  http: HttpConn;
  /** The socket's two ends, to find it in /proc when Deno cannot close it (TLS before the handshake). */
  local: Deno.NetAddr;
  remote: Deno.NetAddr;
  /** A request arrived: over TLS, the handshake is done. */
  secured: boolean;
  /** A request is being answered. */
  busy: boolean;
  closed: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** When the last response was handed over, and how long its bytes may still take. */
  idleAt: number;
  drainMs: number;
}

/** See the module comment. Bind with {@link HttpFront.listen}, then {@link HttpFront.serve}. */
export class HttpFront {
  /** Where it listens (the real port when 0 was asked for). */
  readonly addr: Deno.NetAddr;
  readonly limits: FrontLimits;
  readonly #listener: Deno.Listener;
  readonly #conns: ConnectionLimits;
  readonly #serveHttp: ServeHttp;
  readonly #log: Logger;
  readonly #tls: boolean;
  readonly #open = new Set<Open>();
  #handler: FrontHandler | undefined;
  #closing = false;
  #refusing = 0;
  #closedBy: Record<FrontCloseReason, number> = { read_timeout: 0, idle_timeout: 0 };

  private constructor(
    listener: Deno.Listener,
    limits: FrontLimits,
    serveHttp: ServeHttp,
    log: Logger,
    tls: boolean,
  ) {
    this.#listener = listener;
    this.#tls = tls;
    this.addr = listener.addr as Deno.NetAddr;
    this.limits = limits;
    this.#serveHttp = serveHttp;
    this.#log = log;
    this.#conns = new ConnectionLimits({
      maxTotal: limits.maxConnections,
      maxPerAddress: limits.maxConnectionsPerAddress,
      log,
    });
  }

  /**
   * Binds the address now; connections wait in the kernel's backlog until {@link serve}.
   * @throws Deno.errors.AddrInUse, PermissionDenied, AddrNotAvailable … as Deno.listen does; an Error
   *   when the TLS certificate or key cannot be used, or when this Deno lacks Deno.serveHttp
   */
  static listen(o: FrontOptions): HttpFront {
    const serveHttp = serveHttpFunction();
    if (!serveHttp) {
      throw new Error(
        `this Deno (${Deno.version.deno}) has no Deno.serveHttp, which Flintnet's HTTP server needs to close ` +
          "slow and idle connections; run Flintnet with the Deno it was built for",
      );
    }
    const limits = { ...DEFAULT_FRONT_LIMITS, ...o.limits };
    const listener = o.tls
      ? Deno.listenTls({ hostname: o.hostname, port: o.port, cert: o.tls.cert, key: o.tls.key })
      : Deno.listen({ hostname: o.hostname, port: o.port });
    return new HttpFront(listener, limits, serveHttp, o.log ?? createLogger("http"), o.tls !== undefined);
  }

  /** Starts accepting and answering with `handler`. */
  serve(handler: FrontHandler): void {
    if (this.#handler) throw new Error("the HTTP front is serving already");
    this.#handler = handler;
    void this.#accept();
  }

  /** The counters. */
  counters(): FrontCounters {
    const c = this.#conns.counters();
    return {
      open: c.open,
      accepted: c.accepted,
      refused_per_address: c.refused_per_address,
      refused_total: c.refused_total,
      closed_read_timeout: this.#closedBy.read_timeout,
      closed_idle_timeout: this.#closedBy.idle_timeout,
    };
  }

  /**
   * Stops accepting, closes idle connections (once what they were sent had time to leave), lets requests
   * in progress finish, and after `graceMs` closes whatever is left. Resolves true when nothing was cut.
   */
  async close(graceMs: number): Promise<boolean> {
    if (!this.#closing) {
      this.#closing = true;
      try {
        this.#listener.close();
      } catch { /* closed already */ }
    }
    const now = Date.now();
    for (const c of this.#open) {
      if (!c.busy) this.#arm(c, Math.max(0, c.idleAt + c.drainMs - now), null);
    }
    const until = now + graceMs;
    while (this.#open.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    const cut = this.#open.size > 0;
    for (const c of this.#open) this.#close(c, null);
    return !cut;
  }

  async #accept(): Promise<void> {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await this.#listener.accept();
      } catch (err) {
        if (this.#closing || err instanceof Deno.errors.BadResource) return;
        // Out of file descriptors (EMFILE) and the like: what is open drains, then accepting resumes.
        this.#log.error("accepting an HTTP connection failed", { error: err });
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      if (this.#closing) {
        conn.close();
        continue;
      }
      void this.#connection(conn);
    }
  }

  async #connection(conn: Deno.Conn): Promise<void> {
    const remote = conn.remoteAddr as Deno.NetAddr;
    const address = plainAddress(remote.hostname);
    const refusal = this.#conns.admit(address);
    if (refusal !== null) return this.#refuse(conn, refusal);
    const c: Open = {
      http: this.#serveHttp(conn),
      local: conn.localAddr as Deno.NetAddr,
      remote,
      secured: false,
      busy: false,
      closed: false,
      timer: undefined,
      idleAt: 0,
      drainMs: 0,
    };
    this.#open.add(c);
    try {
      // The first request's head is due within the read timeout of the accept, handshake included.
      let wait = this.limits.readTimeoutMs, why: FrontCloseReason = "read_timeout";
      for (;;) {
        this.#arm(c, wait, why);
        const ev = await c.http.nextRequest().catch(() => null);
        this.#disarm(c);
        if (ev === null || c.closed) break;
        c.secured = true;
        c.busy = true;
        const sent = await this.#answer(c, ev, remote);
        c.busy = false;
        c.idleAt = Date.now();
        c.drainMs = MIN_DRAIN_MS + Math.ceil((sent / MIN_CLIENT_BYTES_PER_S) * 1000);
        if (c.closed) break;
        if (this.#closing) {
          this.#arm(c, c.drainMs, null);
          await c.http.nextRequest().catch(() => null);
          break;
        }
        [wait, why] = [this.limits.idleTimeoutMs + c.drainMs, "idle_timeout"];
      }
    } finally {
      this.#close(c, null);
      this.#open.delete(c);
      this.#conns.release(address);
    }
  }

  /** Answers one request; returns the size of the body sent (0 for an event stream). */
  async #answer(c: Open, ev: RequestEvent, remoteAddr: Deno.NetAddr): Promise<number> {
    let req = ev.request;
    let bodyTimer: ReturnType<typeof setTimeout> | undefined;
    if (req.body !== null) {
      // The body is due within the read timeout of the head; the timer ends with the body or the answer.
      bodyTimer = setTimeout(() => this.#close(c, "read_timeout"), this.limits.readTimeoutMs);
      const body = endWith(req.body, () => clearTimeout(bodyTimer));
      req = new Request(
        req.url,
        { method: req.method, headers: req.headers, body, duplex: "half" } as RequestInit,
      );
    }
    let settle: { ok(): void; fail(e: unknown): void } = { ok() {}, fail() {} };
    const completed = new Promise<void>((ok, fail) => (settle = { ok, fail }));
    completed.catch(() => {});
    let res: Response;
    try {
      res = await this.#handler!(req, { remoteAddr, completed });
    } catch (err) {
      this.#log.error("request failed outside the app", { error: err });
      res = Response.json({ error: { code: "internal", message: "internal error" } }, { status: 500 });
    } finally {
      clearTimeout(bodyTimer);
    }
    let sent = 0;
    if (res.body !== null && !res.headers.get("Content-Type")?.startsWith("text/event-stream")) {
      const bytes = new Uint8Array(await res.arrayBuffer().catch(() => new ArrayBuffer(0)));
      sent = bytes.byteLength;
      res = new Response(sent > 0 ? bytes : null, res);
    }
    try {
      await ev.respondWith(res);
      settle.ok();
    } catch (err) {
      settle.fail(err); // the client went away, or the front closed the connection
    }
    return sent;
  }

  /** Closes `c` after `ms` (counted as `why` when it is a deadline); re-arming replaces the timer. */
  #arm(c: Open, ms: number, why: FrontCloseReason | null): void {
    this.#disarm(c);
    c.timer = setTimeout(() => this.#close(c, why), ms);
  }

  #disarm(c: Open): void {
    if (c.timer !== undefined) clearTimeout(c.timer);
    c.timer = undefined;
  }

  #close(c: Open, why: FrontCloseReason | null): void {
    this.#disarm(c);
    if (c.closed) return;
    c.closed = true;
    if (why !== null) this.#closedBy[why]++;
    if (this.#tls && !c.secured) shutdownTcpSocket(c.local, c.remote);
    try {
      c.http.close();
    } catch { /* closed already: the client went first */ }
  }

  /**
   * Answers a connection over a cap with 503 and closes it. The request is not read: the answer is
   * written, the sending side shut, and what the client sent is read away (briefly) so that closing does
   * not reset the connection before the client has read its 503.
   */
  async #refuse(conn: Deno.Conn, why: Refusal): Promise<void> {
    if (this.#refusing >= MAX_REFUSING) {
      if (this.#tls) shutdownTcpSocket(conn.localAddr as Deno.NetAddr, conn.remoteAddr as Deno.NetAddr);
      closeQuietly(conn);
      return;
    }
    this.#refusing++;
    const timer = setTimeout(() => {
      // A TLS client that never finishes its handshake would keep the socket open through close().
      if (this.#tls) shutdownTcpSocket(conn.localAddr as Deno.NetAddr, conn.remoteAddr as Deno.NetAddr);
      closeQuietly(conn);
    }, REFUSAL_MS);
    try {
      const message = why === "per_address"
        ? `too many connections from your address (at most ${this.limits.maxConnectionsPerAddress} at once); ` +
          "close some and try again"
        : `the server has too many connections open (at most ${this.limits.maxConnections}); try again shortly`;
      const body = JSON.stringify({ error: { code: "unavailable", message } });
      const head = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n" +
        `Content-Length: ${new TextEncoder().encode(body).byteLength}\r\nRetry-After: 10\r\n` +
        "Cache-Control: no-store\r\nConnection: close\r\n\r\n";
      let data = new TextEncoder().encode(head + body);
      while (data.byteLength > 0) data = data.subarray(await conn.write(data));
      await conn.closeWrite();
      const sink = new Uint8Array(4096);
      for (let read = 0; read < 65_536;) {
        const n = await conn.read(sink);
        if (n === null) break;
        read += n;
      }
    } catch {
      /* the client went away, or the timer closed it */
    } finally {
      clearTimeout(timer);
      closeQuietly(conn);
      this.#refusing--;
    }
  }
}

/** Passes `body` through and calls `onEnd` once when it is read to its end, fails or is cancelled. */
function endWith(body: ReadableStream<Uint8Array>, onEnd: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          onEnd();
          controller.close();
        } else controller.enqueue(value);
      } catch (err) {
        onEnd();
        controller.error(err);
      }
    },
    cancel(reason) {
      onEnd();
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch { /* closed already */ }
}

/** "::ffff:10.0.0.1" (an IPv4 client on a dual-stack socket) as "10.0.0.1", so it has one count. */
function plainAddress(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1] : address;
}
