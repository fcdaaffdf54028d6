/**
 * Runs the Hono app behind the HTTP front (http_front.ts: deadlines for slow and idle clients, caps on
 * connections), over HTTPS when a certificate and key are given, and shuts it down within 5 s:
 * long-lived responses (the SSE stream) are ended when shutdown begins, because a graceful shutdown
 * otherwise waits for them forever. Binding and serving are two steps, so the daemon can hold its port
 * before it writes any state.
 */
import type { Context, Hono } from "hono";
import { createLogger } from "../base/mod.ts";
import { type FrontCounters, type FrontLimits, HttpFront } from "./http_front.ts";

/** Options of {@link startHttpServer}. */
export interface HttpServerOptions {
  /** Address to bind ("0.0.0.0" = every IPv4 address, "::" = every address). */
  hostname: string;
  /** TCP port; 0 picks a free one (tests). */
  port: number;
  /** Path of the PEM certificate chain; with `key`, the server speaks HTTPS. */
  cert?: string;
  /** Path of the PEM private key. */
  key?: string;
  /** Called once the server answers, with its real address. */
  onListen?: (addr: Deno.NetAddr) => void;
  /** Deadlines and connection caps (FLINTNET_HTTP_*); their defaults for what is missing. */
  limits?: Partial<FrontLimits>;
}

/** A running server. */
export interface HttpServer {
  /** Where it listens (the real port when 0 was asked for). */
  readonly addr: Deno.NetAddr;
  /** Aborted when shutdown begins: long-running handlers listen to it and end their responses. */
  readonly signal: AbortSignal;
  /** Stops accepting, ends event streams, waits for other requests; resolves within 5 s. */
  shutdown(): Promise<void>;
  /** Connections open, refused at the caps, closed at the deadlines. */
  counters(): FrontCounters;
}

/** A bound port, not answering yet. */
export interface BoundHttpServer {
  /** Where it listens (the real port when 0 was asked for). */
  readonly addr: Deno.NetAddr;
  /** Starts answering with `app`. */
  start(app: Hono): HttpServer;
  /** Gives the port back without ever answering (start-up failed after binding). */
  close(): Promise<void>;
}

/**
 * What the app sees as `c.env`: Deno's handler info (so `clientAddress()` finds `remoteAddr`) plus the
 * server's shutdown signal.
 */
export interface ServerEnv {
  /** The client's address. */
  remoteAddr: Deno.NetAddr;
  /** Settles when the response has been sent (rejects when the client went away first). */
  completed: Promise<void>;
  /** Aborted when the server shuts down. */
  shutdownSignal: AbortSignal;
}

/** The shutdown signal of the server running this request; undefined under `app.request()`. */
export function shutdownSignal(c: Context): AbortSignal | undefined {
  const env: unknown = c.env;
  if (typeof env === "object" && env !== null && "shutdownSignal" in env) {
    const s = (env as { shutdownSignal: unknown }).shutdownSignal;
    if (s instanceof AbortSignal) return s;
  }
  return undefined;
}

/** How long shutdown waits for requests still in flight once streams are ended. */
const SHUTDOWN_GRACE_MS = 4000;

/**
 * Passes `body` through until `signal` aborts, then cancels it (the producer's cancel() runs and frees
 * its resources) and ends the response cleanly. Pull-based with no buffer of its own, so the
 * producer still sees the client's backpressure.
 */
function endOnAbort(body: ReadableStream<Uint8Array>, signal: AbortSignal): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let finished = false;
  let onAbort = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      onAbort = () => {
        if (finished) return;
        finished = true;
        reader.cancel("the server is shutting down").catch(() => {});
        controller.close();
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    },
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (finished) return;
        if (done) {
          finished = true;
          signal.removeEventListener("abort", onAbort);
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch (err) {
        if (finished) return;
        finished = true;
        signal.removeEventListener("abort", onAbort);
        controller.error(err);
      }
    },
    cancel(reason) {
      finished = true;
      signal.removeEventListener("abort", onAbort);
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

/**
 * Binds `hostname:port` now (reading the PEM files when `cert` and `key` are given); connections wait
 * in the kernel's backlog until start().
 * @throws TypeError for cert without key; Deno's errors when the files cannot be read, or the address
 *   cannot be bound (AddrInUse, PermissionDenied, AddrNotAvailable), or the certificate cannot be used
 */
export function bindHttpServer(opts: HttpServerOptions): BoundHttpServer {
  if ((opts.cert === undefined) !== (opts.key === undefined)) {
    throw new TypeError("cert and key go together: give both for HTTPS, or neither");
  }
  const tls = opts.cert !== undefined && opts.key !== undefined
    ? { cert: Deno.readTextFileSync(opts.cert), key: Deno.readTextFileSync(opts.key) }
    : undefined;
  const log = createLogger("http");
  const front = HttpFront.listen({ hostname: opts.hostname, port: opts.port, tls, limits: opts.limits, log });
  return {
    addr: front.addr,
    start: (app) => serveOn(front, app, tls !== undefined, opts.onListen),
    close: () => front.close(0).then(() => {}),
  };
}

/**
 * Serves `app` on `hostname:port` (HTTPS when `cert` and `key` name PEM files, read now). Each request
 * gets a {@link ServerEnv} as `c.env`. `text/event-stream` responses are ended when shutdown begins.
 * @throws when the files cannot be read or the address cannot be bound
 */
export function startHttpServer(app: Hono, opts: HttpServerOptions): HttpServer {
  return bindHttpServer(opts).start(app);
}

function serveOn(
  front: HttpFront,
  app: Hono,
  tls: boolean,
  onListen: ((addr: Deno.NetAddr) => void) | undefined,
): HttpServer {
  const log = createLogger("http");
  const stopping = new AbortController();
  const signal = stopping.signal;

  front.serve(async (req, info) => {
    const env: ServerEnv = { remoteAddr: info.remoteAddr, completed: info.completed, shutdownSignal: signal };
    const res = await app.fetch(req, env);
    if (res.body && res.headers.get("Content-Type")?.startsWith("text/event-stream")) {
      return new Response(endOnAbort(res.body, signal), res);
    }
    return res;
  });
  const addr = front.addr;
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  log.info("HTTP API listening", { url: `${tls ? "https" : "http"}://${host}:${addr.port}/` });
  onListen?.(addr);

  let stopped: Promise<void> | undefined;
  return {
    addr,
    signal,
    counters: () => front.counters(),
    shutdown() {
      stopped ??= (async () => {
        stopping.abort();
        if (!(await front.close(SHUTDOWN_GRACE_MS))) {
          log.warn("requests still running when the shutdown grace period ended", {
            grace_ms: SHUTDOWN_GRACE_MS,
          });
        }
      })();
      return stopped;
    },
  };
}
