/**
 * Strict parsers for query parameters. Each one accepts exactly what the API documents and otherwise
 * throws BadParameter with the parameter's name, the bad value and what is accepted, so a script with a
 * typo gets a 400 it can read instead of a silently wider answer.
 */
import { parseIp, tryParseCidr } from "../net/mod.ts";
import type { CidrWords, FlowFilter, IpWords, PageKey, SortOrder } from "../flow/mod.ts";
import { BadParameter } from "./errors.ts";

/** Values longer than this are cut in messages (the message is for a person, not an echo service). */
const SHOWN_MAX = 64;

/** `name="value" is not valid: expected …` — the one wording of every parameter error. */
export function invalid(name: string, value: string, expected: string): BadParameter {
  const shown = value.length > SHOWN_MAX ? `${value.slice(0, SHOWN_MAX)}…` : value;
  return new BadParameter(name, `${name}=${JSON.stringify(shown)} is not valid: expected ${expected}`);
}

/**
 * The query's parameters by name, after checking that each is one of `accepted` and given once.
 * An unknown name (a typo) is refused rather than ignored.
 */
export function checkParameters(search: URLSearchParams, accepted: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of search) {
    if (!accepted.includes(name)) {
      const shown = name.length > SHOWN_MAX ? `${name.slice(0, SHOWN_MAX)}…` : name;
      throw new BadParameter(
        shown,
        `unknown parameter ${JSON.stringify(shown)}: accepted parameters are ${accepted.join(", ")}`,
      );
    }
    if (out.has(name)) throw new BadParameter(name, `${name} is given more than once: give it once`);
    out.set(name, value);
  }
  return out;
}

/** A whole number from `min` to `max` written in decimal digits only (no sign, spaces, exponent or fraction). */
export function parseWholeNumber(name: string, text: string, min: number, max: number): number {
  const n = /^\d{1,16}$/.test(text) ? Number(text) : NaN;
  if (max === Number.MAX_SAFE_INTEGER && /^\d+$/.test(text) && !(n <= max)) {
    // Digits only, beyond any id there can be: "≥ 1" alone would not say what is wrong with it.
    const shown = text.length > SHOWN_MAX ? `${text.slice(0, SHOWN_MAX)}…` : text;
    throw new BadParameter(
      name,
      `${name}=${JSON.stringify(shown)} is not valid: it is too large; expected a whole number ≥ ${min}, ` +
        `at most ${max}`,
    );
  }
  if (!(n >= min && n <= max)) {
    throw invalid(
      name,
      text,
      max === Number.MAX_SAFE_INTEGER ? `a whole number ≥ ${min}` : `a whole number from ${min} to ${max}`,
    );
  }
  return n;
}

/** A page size from 1 to `max`. */
export function parseLimit(name: string, text: string, max: number): number {
  return parseWholeNumber(name, text, 1, max);
}

/** An IPv4 or IPv6 address. */
export function parseIpParameter(name: string, text: string): IpWords {
  const ip = parseIp(text);
  if (!ip) throw invalid(name, text, "an IPv4 or IPv6 address, e.g. 192.0.2.1 or 2001:db8::1");
  return ip;
}

/**
 * An IPv4 or IPv6 network `address/prefix`. Host bits are cleared (192.0.2.7/24 means 192.0.2.0/24),
 * as `ip route` reads them.
 */
export function parseCidrParameter(name: string, text: string): CidrWords {
  const cidr = tryParseCidr(text);
  if (cidr === undefined) {
    throw invalid(
      name,
      text,
      "a network as address/prefix, e.g. 192.0.2.0/24 (prefix 0–32) or 2001:db8::/32 (0–128)",
    );
  }
  return cidr;
}

/** A TCP, UDP or SCTP port. */
export function parsePortParameter(name: string, text: string): number {
  return parseWholeNumber(name, text, 0, 65535);
}

/** Protocol names scripts use, to IANA protocol numbers (https://www.iana.org/assignments/protocol-numbers). */
const PROTOCOLS: Record<string, number> = { icmp: 1, tcp: 6, udp: 17, icmpv6: 58, sctp: 132 };

/** An IP protocol: a number 0–255 or one of the names above. */
export function parseProtocolParameter(name: string, text: string): number {
  const lower = text.toLowerCase();
  if (Object.hasOwn(PROTOCOLS, lower)) return PROTOCOLS[lower];
  if (/^\d{1,3}$/.test(text) && Number(text) <= 255) return Number(text);
  throw invalid(name, text, `a protocol number 0–255 or one of ${Object.keys(PROTOCOLS).join(", ")}`);
}

/** One of `choices`. */
export function parseChoice<T extends string>(name: string, text: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(text)) return text as T;
  throw invalid(name, text, `one of ${choices.join(", ")}`);
}

/** 9999-12-31T23:59:59Z, the last second ISO 8601 writes with four digits. */
const MAX_EPOCH_S = 253402300799;
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|([+\- ])(\d{2}):?(\d{2})))?$/i;

/**
 * A time as ms since the epoch: ISO 8601 with a zone (`2024-05-01T12:00:00Z`, `…+02:00`), a date
 * (`2024-05-01`, midnight UTC), or epoch seconds (`1714564800`, fractions allowed). A date-time without
 * a zone is refused: whose local time it meant is a guess. A space where the offset's sign goes is read
 * as `+`, because an unencoded `+` in a query string arrives as a space.
 */
export function parseTimeParameter(name: string, text: string): number {
  const expected = "ISO 8601 with a time zone (2024-05-01T12:00:00Z, 2024-05-01T14:00:00+02:00), " +
    "a date (2024-05-01) or epoch seconds (1714564800)";
  if (/^\d{1,12}(\.\d{1,9})?$/.test(text)) {
    const s = Number(text);
    if (s > MAX_EPOCH_S) throw invalid(name, text, expected);
    return s * 1000;
  }
  const m = ISO.exec(text);
  // A date-time must say its zone; a date alone is midnight UTC.
  if (!m || (m[4] !== undefined && m[8] === undefined)) throw invalid(name, text, expected);
  const num = (i: number) => m[i] === undefined ? 0 : Number(m[i]);
  const y = num(1), mo = num(2), d = num(3), h = num(4), mi = num(5), s = num(6), oh = num(10), om = num(11);
  const monthDays = [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  if (
    mo < 1 || mo > 12 || d < 1 || d > monthDays[mo - 1] || h > 23 || mi > 59 || s > 59 || oh > 23 || om > 59
  ) {
    throw invalid(name, text, expected);
  }
  const offsetMin = (m[9] === "-" ? -1 : 1) * (oh * 60 + om);
  const frac = m[7] === undefined ? 0 : Number(m[7]) * 1000;
  const utc = new Date(0);
  utc.setUTCFullYear(y, mo - 1, d); // Date.UTC would read years 0–99 as 1900–1999
  utc.setUTCHours(h, mi, s, 0);
  return utc.getTime() + frac - offsetMin * 60_000;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Where a listing resumes: the sort it was made for and the previous page's last key. */
export interface Cursor extends PageKey {
  /** Sort key the cursor was made with. */
  sort: string;
  /** Direction the cursor was made with. */
  order: SortOrder;
}

/** The opaque cursor text: base64url (RFC 4648 §5) of a small JSON object. */
export function encodeCursor(c: Cursor): string {
  const json = JSON.stringify({ s: c.sort, o: c.order, v: c.value, i: c.id });
  return btoa(json).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** Reads a cursor, refusing garbage and a cursor made for another sort or order. */
export function parseCursor(name: string, text: string, sort: string, order: SortOrder): PageKey {
  const expected = "the next_cursor of a previous page of this listing";
  let doc: unknown;
  try {
    if (!/^[A-Za-z0-9_-]{1,400}$/.test(text)) throw new Error("not base64url");
    doc = JSON.parse(atob(text.replaceAll("-", "+").replaceAll("_", "/")));
  } catch {
    throw invalid(name, text, expected);
  }
  const c = doc as Record<string, unknown>;
  if (
    typeof doc !== "object" || doc === null || Array.isArray(doc) || Object.keys(c).length !== 4 ||
    typeof c.s !== "string" || (c.o !== "asc" && c.o !== "desc") || typeof c.v !== "number" ||
    !Number.isFinite(c.v) || typeof c.i !== "number" || !Number.isSafeInteger(c.i) || c.i < 0
  ) throw invalid(name, text, expected);
  if (c.s !== sort || c.o !== order) {
    throw new BadParameter(
      name,
      `${name} was made for sort=${c.s}&order=${c.o} but this request asks for sort=${sort}&order=${order}: ` +
        "repeat the sort and order of the first page, or drop the cursor to start again",
    );
  }
  return { value: c.v, id: c.i };
}

/**
 * Whether the response should be CSV: `format=csv` says so (and `format=json` says not); without it,
 * an Accept header that ranks text/csv at least as high as application/json.
 */
export function wantsCsv(name: string, format: string | undefined, accept: string | undefined): boolean {
  if (format !== undefined) return parseChoice(name, format, ["json", "csv"]) === "csv";
  if (!accept) return false;
  let csv = 0, json = 0;
  for (const part of accept.split(",")) {
    const [type, ...params] = part.split(";").map((s) => s.trim().toLowerCase());
    const qp = params.find((p) => p.startsWith("q="));
    const q = qp === undefined ? 1 : Number(qp.slice(2));
    if (!Number.isFinite(q)) continue;
    if (type === "text/csv") csv = Math.max(csv, q);
    else if (type === "application/json") json = Math.max(json, q);
  }
  return csv > 0 && csv >= json;
}

/** The filter parameters /flows and /anomalies share. */
export const FILTER_PARAMETERS = [
  "ip",
  "src_ip",
  "dst_ip",
  "cidr",
  "port",
  "protocol",
  "min_bytes",
  "since",
  "until",
] as const;

/** Every parameter a paged explorer (/flows, /anomalies) accepts: the filters, then sorting and paging. */
export const PAGE_PARAMETERS: readonly string[] = [
  ...FILTER_PARAMETERS,
  "sort",
  "order",
  "limit",
  "cursor",
  "format",
];

/** The largest page an explorer serves. */
export const MAX_PAGE_LIMIT = 1000;
/** The page size when none is asked for. */
export const DEFAULT_PAGE_LIMIT = 100;

/** The `limit` of a page request: 1 … MAX_PAGE_LIMIT, DEFAULT_PAGE_LIMIT when absent. */
export function parsePageLimit(
  p: { get(name: string): string | undefined; has(name: string): boolean },
): number {
  return p.has("limit") ? parseLimit("limit", p.get("limit")!, MAX_PAGE_LIMIT) : DEFAULT_PAGE_LIMIT;
}

/** The filter the FILTER_PARAMETERS present in `p` describe. */
export function parseFilterParameters(p: ReadonlyMap<string, string>): FlowFilter {
  const f: FlowFilter = {};
  let v: string | undefined;
  if ((v = p.get("ip")) !== undefined) f.ip = parseIpParameter("ip", v);
  if ((v = p.get("src_ip")) !== undefined) f.srcIp = parseIpParameter("src_ip", v);
  if ((v = p.get("dst_ip")) !== undefined) f.dstIp = parseIpParameter("dst_ip", v);
  if ((v = p.get("cidr")) !== undefined) f.cidr = parseCidrParameter("cidr", v);
  if ((v = p.get("port")) !== undefined) f.port = parsePortParameter("port", v);
  if ((v = p.get("protocol")) !== undefined) f.protocol = parseProtocolParameter("protocol", v);
  if ((v = p.get("min_bytes")) !== undefined) {
    f.minBytes = parseWholeNumber("min_bytes", v, 0, Number.MAX_SAFE_INTEGER);
  }
  if ((v = p.get("since")) !== undefined) f.sinceMs = parseTimeParameter("since", v);
  if ((v = p.get("until")) !== undefined) f.untilMs = parseTimeParameter("until", v);
  if (f.sinceMs !== undefined && f.untilMs !== undefined && f.untilMs < f.sinceMs) {
    throw new BadParameter(
      "until",
      `until=${JSON.stringify(p.get("until"))} is before since=${JSON.stringify(p.get("since"))}: ` +
        "expected a time at or after since",
    );
  }
  return f;
}

/** The path and query of the next page: this request's URL with `cursor` set (for a Link header). */
export function nextPageLink(url: URL, cursor: string): string {
  const next = new URL(url);
  next.searchParams.set("cursor", cursor);
  return `${next.pathname}${next.search}`;
}
