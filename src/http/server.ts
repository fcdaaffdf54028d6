/**
 * Runs the Hono app on `Deno.serve`, over HTTPS when a certificate and key are given, and shuts it
 * down within 5 s: long-lived responses (the SSE stream) are ended when shutdown begins, because a
 * graceful shutdown otherwise waits for them forever.
 */
import type { Context, Hono } from "hono";
import { createLogger } from "../base/mod.ts";

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
  /** Called once the socket listens, with its real address. */
  onListen?: (addr: Deno.NetAddr) => void;
}

/** A running server. */
export interface HttpServer {
  /** Where it listens (the real port when 0 was asked for). */
  readonly addr: Deno.NetAddr;
  /** Aborted when shutdown begins: long-running handlers listen to it and end their responses. */
  readonly signal: AbortSignal;
  /** Stops accepting, ends event streams, waits for other requests; resolves within 5 s. */
  shutdown(): Promise<void>;
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
 * Serves `app` on `hostname:port` (HTTPS when `cert` and `key` name PEM files, read now). Each request
 * gets a {@link ServerEnv} as `c.env`. `text/event-stream` responses are ended when shutdown begins.
 * @throws when the files cannot be read or the address cannot be bound
 */
export function startHttpServer(app: Hono, opts: HttpServerOptions): HttpServer {
  const log = createLogger("http");
  if ((opts.cert === undefined) !== (opts.key === undefined)) {
    throw new TypeError("cert and key go together: give both for HTTPS, or neither");
  }
  const tls = opts.cert !== undefined && opts.key !== undefined
    ? { cert: Deno.readTextFileSync(opts.cert), key: Deno.readTextFileSync(opts.key) }
    : undefined;
  const stopping = new AbortController();
  const signal = stopping.signal;

  const handler = async (req: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>): Promise<Response> => {
    const env: ServerEnv = { remoteAddr: info.remoteAddr, completed: info.completed, shutdownSignal: signal };
    // Nothing awaits `completed` but the handlers that want it: a client going away is not an error here.
    info.completed.catch(() => {});
    const res = await app.fetch(req, env);
    if (res.body && res.headers.get("Content-Type")?.startsWith("text/event-stream")) {
      return new Response(endOnAbort(res.body, signal), res);
    }
    return res;
  };

  const scheme = tls ? "https" : "http";
  const server = Deno.serve({
    hostname: opts.hostname,
    port: opts.port,
    ...(tls ?? {}),
    onListen(addr) {
      const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
      log.info("HTTP API listening", { url: `${scheme}://${host}:${addr.port}/` });
      opts.onListen?.(addr);
    },
    // Only reached when the app itself fails (its onError answers everything else).
    onError(err) {
      log.error("request failed outside the app", { error: err });
      return Response.json({ error: { code: "internal", message: "internal error" } }, { status: 500 });
    },
  }, handler);

  let stopped: Promise<void> | undefined;
  return {
    addr: server.addr,
    signal,
    shutdown() {
      stopped ??= (async () => {
        stopping.abort();
        let timer: ReturnType<typeof setTimeout> | undefined;
        const graceOver = new Promise<"timeout">((resolve) => {
          timer = setTimeout(() => resolve("timeout"), SHUTDOWN_GRACE_MS);
        });
        const result = await Promise.race([server.shutdown().then(() => "done" as const), graceOver]);
        clearTimeout(timer);
        if (result === "timeout") {
          log.warn("requests still running when the shutdown grace period ended", {
            grace_ms: SHUTDOWN_GRACE_MS,
          });
        }
      })();
      return stopped;
    },
  };
}
