/**
 * Bearer-token authentication for every API route (RFC 6750 §2.1), with the two exceptions a browser
 * and a monitoring system need: public routes (health check, the dashboard's static files, /metrics
 * when opened), and single-use stream tickets on `GET /stream`, because `EventSource` cannot send
 * headers and the long-lived token must never appear in a URL.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { createLogger } from "../base/mod.ts";
import { errorResponse } from "./errors.ts";
import type { FailedAuthLimiter } from "./rate_limit.ts";
import type { TicketStore } from "./tickets.ts";

/** Challenge sent with every 401 (RFC 6750 §3). */
export const WWW_AUTHENTICATE = 'Bearer realm="flintnet"';

/** Options of {@link bearerAuth}. */
export interface BearerAuthOptions {
  /** The API token, or where to read the current one (it changes on `flintnet token rotate`). */
  token: string | (() => string);
  /** Where `POST /auth/ticket` keeps the tickets `GET /stream?ticket=` redeems. */
  tickets: TicketStore;
  /** Failed attempts per source address. */
  limiter: FailedAuthLimiter;
  /** Routes served without credentials. */
  public: (method: string, path: string) => boolean;
}

/** Options of {@link publicRoutes}. */
export interface PublicRoutesOptions {
  /** FLINTNET_METRICS_PUBLIC: serve GET /metrics without the token. */
  metricsPublic: boolean;
}

function sha256(text: string): Uint8Array {
  return createHash("sha256").update(text, "utf8").digest();
}

/**
 * Compares two secrets in time independent of where they differ and of their lengths: both sides are
 * hashed to 32 bytes first, so `timingSafeEqual` always compares equal-length buffers.
 */
export function constantTimeEqual(given: string, expected: string): boolean {
  return timingSafeEqual(sha256(given), sha256(expected));
}

/**
 * The client's IP address: `remoteAddr` from the `Deno.serve` handler info that Hono passes as
 * `c.env`; "unknown" when there is none (in-process `app.request()` calls).
 */
export function clientAddress(c: Context): string {
  const env: unknown = c.env;
  if (typeof env === "object" && env !== null && "remoteAddr" in env) {
    const addr = (env as { remoteAddr?: { hostname?: unknown } }).remoteAddr;
    if (addr && typeof addr.hostname === "string" && addr.hostname !== "") return addr.hostname;
  }
  return "unknown";
}

/**
 * The routes served without a token: the health check, the dashboard's files (a browser loads them
 * before the user has pasted the token), and /metrics when FLINTNET_METRICS_PUBLIC is set.
 */
export function publicRoutes(opts: PublicRoutesOptions): (method: string, path: string) => boolean {
  return (method, path) => {
    if (method !== "GET" && method !== "HEAD") return false;
    return path === "/healthz" || path === "/" || path.startsWith("/ui/") ||
      (opts.metricsPublic && path === "/metrics");
  };
}

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), else undefined. */
function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return m?.[1];
}

/**
 * Middleware: lets a request through with the right bearer token (or, on `GET /stream` only, an
 * unspent ticket); answers 401 otherwise, and 429 with Retry-After to an address that failed too
 * often — checked before the credentials, so a blocked guesser learns nothing. Put it after the CORS
 * middleware (preflights carry no credentials) and before the routes.
 */
export function bearerAuth(opts: BearerAuthOptions): MiddlewareHandler {
  const log = createLogger("http");
  const current = typeof opts.token === "string" ? () => opts.token as string : opts.token;
  // The hash of the current token, computed again only when the token changes (rotation).
  let hashed = "", expected = sha256("");
  const tokenOk = (given: string) => {
    const token = current();
    if (token !== hashed) [hashed, expected] = [token, sha256(token)];
    return timingSafeEqual(sha256(given), expected);
  };

  return async function bearerAuth(c, next) {
    if (opts.public(c.req.method, c.req.path)) return await next();
    const addr = clientAddress(c);
    const wait = opts.limiter.blocked(addr);
    if (wait > 0) {
      c.header("Retry-After", String(wait));
      return errorResponse(
        c,
        429,
        "rate_limited",
        `too many failed authentication attempts from this address: try again in ${wait} s`,
      );
    }
    const header = c.req.header("Authorization");
    const token = bearerToken(header);
    if (token !== undefined && tokenOk(token)) return await next();
    // A ticket is spent on its first use, so it is only looked at where it is meant to be used.
    const ticket = c.req.method === "GET" && c.req.path === "/stream" ? c.req.query("ticket") : undefined;
    if (ticket !== undefined && opts.tickets.redeem(ticket)) return await next();

    // Only wrong credentials count towards the lock-out: a browser or a scraper that has not sent its
    // token yet is asking, not guessing, and must not lock its address out before it sends the right one.
    if (header !== undefined || ticket !== undefined) {
      opts.limiter.fail(addr);
      if (opts.limiter.blocked(addr) > 0) {
        log.warn("refusing an address after repeated failed authentication", { address: addr });
      }
    }
    c.header("WWW-Authenticate", WWW_AUTHENTICATE);
    const message = token !== undefined
      ? "the bearer token is not valid"
      : ticket !== undefined
      ? "the stream ticket is not valid: it is unknown, used already or expired"
      : "this route needs the API token: send the header Authorization: Bearer <token>";
    return errorResponse(c, 401, "unauthorized", message);
  };
}
