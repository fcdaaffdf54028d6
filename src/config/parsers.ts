/**
 * The value parsers behind the FLINTNET_* settings table in config.ts: each turns a trimmed,
 * non-empty text into a typed value or throws {@link Rejected}, says in words what it accepts,
 * and writes a value back in that notation (for the defaults `flintnet --help` shows).
 */

import { apiTokenProblem, MIN_API_TOKEN_LENGTH } from "./api_token.ts";
import { ipv4Network } from "./system_probe.ts";
import { parseIpv4 } from "../net/mod.ts";

/** A parser's refusal; the message, if any, says why beyond the accepted text. */
export class Rejected extends Error {}

/** How one setting reads its text, and what it tells the user it accepts. */
export interface Parser<T> {
  /** Completes "expected …". */
  accepted: string;
  /** Parses a trimmed, non-empty value or throws Rejected. */
  parse(text: string): T;
  /** Writes a value back in accepted notation (for documenting defaults). */
  format(value: T): string;
}

// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

function wholeNumber(text: string): number | undefined {
  if (!/^\d+(_\d+)*$/.test(text)) return undefined;
  const n = Number(text.replaceAll("_", ""));
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A whole number from `min` to `max` (no upper bound when `max` is absent); `_` may group digits. */
export function intRange(min: number, max?: number): Parser<number> {
  return {
    accepted: max === undefined ? `a whole number, ${min} or more` : `a whole number from ${min} to ${max}`,
    parse(text) {
      const n = wholeNumber(text);
      if (n === undefined || n < min || (max !== undefined && n > max)) throw new Rejected();
      return n;
    },
    format: String,
  };
}

/** A decimal number with `0 < x ≤ max` (the only shape the settings need). */
export function positiveNumber(max: number): Parser<number> {
  return {
    accepted: `a number greater than 0 and at most ${max}`,
    parse(text) {
      if (!/^(\d+(\.\d+)?|\.\d+)$/.test(text)) throw new Rejected();
      const n = Number(text);
      if (!(n > 0 && n <= max)) throw new Rejected();
      return n;
    },
    format: String,
  };
}

/** A decimal number with `min ≤ x ≤ max`. */
export function numberRange(min: number, max: number): Parser<number> {
  return {
    accepted: `a number from ${min} to ${max}`,
    parse(text) {
      if (!/^(\d+(\.\d+)?|\.\d+)$/.test(text)) throw new Rejected();
      const n = Number(text);
      if (!(n >= min && n <= max)) throw new Rejected();
      return n;
    },
    format: String,
  };
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** Seconds in the largest unit that divides them exactly: 3600 → "1h", 90 → "90s". */
export function formatDuration(s: number): string {
  return s === 0 ? "0" : s % 3600 === 0 ? `${s / 3600}h` : s % 60 === 0 ? `${s / 60}m` : `${s}s`;
}

/** A duration in seconds from `min` to `max`, written as seconds or with an s, m or h suffix. */
export function duration(min: number, max: number): Parser<number> {
  return {
    accepted:
      `a duration from ${formatDuration(min)} to ${formatDuration(max)}: seconds, or a whole number ` +
      `with s, m or h (e.g. 90s, 5m, 1h)`,
    parse(text) {
      const m = /^(\d+(?:_\d+)*)([smh]?)$/.exec(text);
      const n = m ? wholeNumber(m[1]) : undefined;
      if (!m || n === undefined) throw new Rejected();
      const seconds = n * UNIT_SECONDS[m[2] || "s"];
      if (seconds < min || seconds > max) throw new Rejected();
      return seconds;
    },
    format: formatDuration,
  };
}

/** One of `values`, case-insensitively; the parsed value is lowercase. */
export function oneOf<T extends string>(values: readonly T[]): Parser<T> {
  return {
    accepted: `one of ${values.join(", ")}`,
    parse(text) {
      const v = text.toLowerCase() as T;
      if (!values.includes(v)) throw new Rejected();
      return v;
    },
    format: String,
  };
}

/** Comma-separated items, each parsed by `item`, duplicates (after parsing) refused. */
export function list(accepted: string, item: (text: string) => string): Parser<string[]> {
  return {
    accepted,
    parse(text) {
      const out: string[] = [];
      for (const part of text.split(",").map((p) => p.trim()).filter((p) => p !== "")) {
        const v = item(part);
        if (out.includes(v)) {
          throw new Rejected(part === v ? `${v} is listed twice` : `${JSON.stringify(part)} repeats ${v}`);
        }
        out.push(v);
      }
      if (out.length === 0) throw new Rejected();
      return out;
    },
    format: (v) => v.join(","),
  };
}

/** Network interface names as the kernel allows them (IFNAMSIZ - 1 = 15 characters, netdevice(7)). */
export const interfaceList = list(
  "comma-separated interface names (1 to 15 of A-Z a-z 0-9 _ . @ -), each once",
  (name) => {
    if (!/^[A-Za-z0-9_.@-]{1,15}$/.test(name) || name === "." || name === "..") {
      throw new Rejected(`${JSON.stringify(name)} is not an interface name`);
    }
    return name;
  },
);

/** Local IPv4 networks, host bits cleared. */
export const cidrList = list(
  "comma-separated IPv4 networks a.b.c.d/n with n from 8 to 32, each once",
  (cidr) => {
    const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr);
    const addr = m ? parseIpv4(m[1]) : undefined;
    if (!m || addr === undefined) throw new Rejected(`${JSON.stringify(cidr)} is not an IPv4 network`);
    const prefix = Number(m[2]);
    // A /0-/7 "local network" would sweep or trust most of the Internet: always a mistake.
    if (prefix < 8 || prefix > 32) throw new Rejected(`${JSON.stringify(cidr)} has prefix /${prefix}`);
    return ipv4Network(addr, prefix);
  },
);

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** Address and port the HTTP API (or the trap receiver) listens on. */
export interface ListenAddress {
  /** IP address or host name to bind ("0.0.0.0" = all IPv4 addresses, "::" = all addresses). */
  hostname: string;
  /** TCP port, 1–65535. */
  port: number;
}

/** Where the HTTP API listens: host:port, [IPv6]:port, :port or port. */
export const hostPort: Parser<ListenAddress> = {
  accepted: "host:port, [IPv6]:port, :port or port (all IPv4 addresses; [::]:port for IPv6 too), " +
    "port from 1 to 65535",
  parse(text) {
    // A bare port and ":port" both mean every address.
    const colon = /^\d+$/.test(text) ? -1 : text.lastIndexOf(":");
    if (colon < 0 && !/^\d+$/.test(text)) throw new Rejected();
    const host = colon < 0 ? "" : text.slice(0, colon);
    const port = wholeNumber(text.slice(colon + 1));
    if (port === undefined || port < 1 || port > 65535) throw new Rejected();
    if (host.startsWith("[") && host.endsWith("]")) {
      const v6 = host.slice(1, -1);
      if (!/^[0-9A-Fa-f:.]+$/.test(v6) || !v6.includes(":")) {
        throw new Rejected(`${host} is not an IPv6 address`);
      }
      return { hostname: v6, port };
    }
    if (host.includes(":")) throw new Rejected("put an IPv6 address in brackets");
    if (host === "") return { hostname: "0.0.0.0", port };
    const numeric = /^[\d.]+$/.test(host);
    if (numeric ? parseIpv4(host) === undefined : !HOSTNAME.test(host)) {
      throw new Rejected(`${JSON.stringify(host)} is not an IPv4 address or host name`);
    }
    return { hostname: host, port };
  },
  format: (v) => v.hostname.includes(":") ? `[${v.hostname}]:${v.port}` : `${v.hostname}:${v.port}`,
};

/** A UDP listener's address (as {@link hostPort}), or "off". */
export const hostPortOrOff: Parser<ListenAddress | null> = {
  accepted: `off, or ${hostPort.accepted}`,
  parse: (text) => text.toLowerCase() === "off" ? null : hostPort.parse(text),
  format: (v) => v === null ? "off" : hostPort.format(v),
};

/** An absolute path without control characters; trailing slashes are dropped. */
export const absolutePath: Parser<string> = {
  accepted: "an absolute path",
  parse(text) {
    if (!text.startsWith("/") || CONTROL.test(text)) throw new Rejected();
    return text.length > 1 ? text.replace(/\/+$/, "") : text;
  },
  format: String,
};

/** A web origin as browsers send it in `Origin:` (RFC 6454 §6.1), normalised by the URL parser. */
export const originList = list(
  "comma-separated origins scheme://host[:port] (http or https, no path), each once",
  (text) => {
    if (text.includes("*")) {
      throw new Rejected(`${JSON.stringify(text)}: list each origin, wildcards are refused`);
    }
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new Rejected(`${JSON.stringify(text)} is not an origin`);
    }
    const bare = url.pathname === "/" && url.search === "" && url.hash === "" && url.username === "" &&
      url.password === "";
    if ((url.protocol !== "http:" && url.protocol !== "https:") || !bare) {
      throw new Rejected(`${JSON.stringify(text)} is not an origin`);
    }
    // url.origin lowercases the host and drops a default port, as the browser's Origin header does.
    return url.origin;
  },
);

/** 1, 0, true or false, case-insensitively. */
export const boolean: Parser<boolean> = {
  accepted: "1, 0, true or false",
  parse(text) {
    const v = text.toLowerCase();
    if (v === "1" || v === "true") return true;
    if (v === "0" || v === "false") return false;
    throw new Rejected();
  },
  format: (v) => v ? "1" : "0",
};

/** The absolute path of a PEM file (loadConfig reads it to check it). */
export const pemFile: Parser<string> = {
  accepted: "the absolute path of a readable PEM file",
  parse: absolutePath.parse,
  format: String,
};

/** The path of the env file, relative or absolute. */
export const filePath: Parser<string> = {
  accepted: "the path of a readable file of NAME=value lines",
  parse(text) {
    if (CONTROL.test(text)) throw new Rejected();
    return text;
  },
  format: String,
};

/** A shared library: a soname the dynamic linker finds ("libpcap.so.0.8") or an absolute path. */
export const sharedLibrary: Parser<string> = {
  accepted: "a library soname such as libpcap.so.0.8, or the absolute path of one",
  parse(text) {
    if (CONTROL.test(text) || !(text.startsWith("/") || /^lib[\w.+-]*\.so(\.[\w.]+)?$/.test(text))) {
      throw new Rejected();
    }
    return text;
  },
  format: String,
};

/** The API bearer token; `format` never shows it. */
export const apiToken: Parser<string> = {
  accepted: `at least ${MIN_API_TOKEN_LENGTH} characters without whitespace`,
  parse(text) {
    if (apiTokenProblem(text) !== undefined) throw new Rejected();
    return text;
  },
  format: () => "[redacted]",
};

/** A libpcap filter expression (pcap-filter(7)); libpcap itself judges its syntax at capture start. */
export const bpfFilter: Parser<string> = {
  accepted: "a libpcap filter expression (pcap-filter(7)) without control characters",
  parse(text) {
    // Tabs and line breaks are whitespace to libpcap (a long filter may span lines in the env file).
    // deno-lint-ignore no-control-regex
    if (/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(text)) throw new Rejected();
    return text;
  },
  format: (v) => v === "" ? '"" (everything)' : v,
};
