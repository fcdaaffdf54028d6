/**
 * The FLINTNET_HTTP_* settings: how long the HTTP server waits for a slow client and how many
 * connections it keeps open, so that no client on the LAN can hold the daemon's file descriptors with
 * half-sent requests (see src/http/http_front.ts).
 */
import { duration, intRange } from "./parsers.ts";
import { setting, value, type Vars } from "./setting.ts";

/** The HTTP server's deadlines and caps. */
export interface HttpLimitsConfig {
  /** Seconds for a request head to arrive after the connection opens (TLS included), and for its body after that. */
  readTimeoutS: number;
  /** Seconds a connection may stay open without a request in progress (event streams excepted). */
  idleTimeoutS: number;
  /** Connections open at once at most, in all. */
  maxConnections: number;
  /** Connections open at once at most from one address (event streams included). */
  maxConnectionsPerAddress: number;
}

/** The settings table rows of this file, in `--help` order. */
export const HTTP_SETTINGS = {
  readTimeout: setting({
    name: "FLINTNET_HTTP_READ_TIMEOUT",
    description: "A client must send a request's head within this of connecting (TLS handshake included), " +
      "and its body within this again; slower clients are disconnected.",
    parser: duration(1, 300),
    fallback: 10,
  }),
  idleTimeout: setting({
    name: "FLINTNET_HTTP_IDLE_TIMEOUT",
    description: "A kept-alive connection without a request for this long is closed (event streams are not).",
    parser: duration(1, 3600),
    fallback: 30,
  }),
  maxConnections: setting({
    name: "FLINTNET_HTTP_MAX_CONNECTIONS",
    description: "HTTP connections open at once, in all; more are answered 503.",
    parser: intRange(1, 100_000),
    fallback: 512,
  }),
  maxConnectionsPerAddress: setting({
    name: "FLINTNET_HTTP_MAX_CONNECTIONS_PER_ADDRESS",
    description: "HTTP connections open at once from one address (event streams included); more are " +
      "answered 503.",
    parser: intRange(1, 100_000),
    fallback: 32,
  }),
};

/** Reads the HTTP limits. */
export function httpSettings(vars: Vars): HttpLimitsConfig {
  const S = HTTP_SETTINGS;
  return {
    readTimeoutS: value(S.readTimeout, vars),
    idleTimeoutS: value(S.idleTimeout, vars),
    maxConnections: value(S.maxConnections, vars),
    maxConnectionsPerAddress: value(S.maxConnectionsPerAddress, vars),
  };
}
