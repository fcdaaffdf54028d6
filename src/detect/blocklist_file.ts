/**
 * Reads a block-list file into an {@link IpRangeSet}, in the formats lists are published in:
 *
 * - one address or network a line (`192.0.2.7`, `198.51.100.0/24`, `2001:db8::/32`), FireHOL's
 *   `.netset`/`.ipset` files among them;
 * - a range `first-last` (IPv4);
 * - text after the address is ignored: Spamhaus DROP's `198.51.100.0/24 ; SBL123456`, a `# note`, a
 *   tab-separated column;
 * - whole-line comments starting with `#` or `;` (and `//`), blank lines, a BOM, CRLF line ends;
 * - JSON lines with a `"cidr"` or `"ip"` member (Spamhaus's drop_v4.json), its metadata line skipped.
 *
 * IPv4 is parsed from the bytes as they are (no string per line), so a million-line list loads in a
 * fraction of a second; IPv6 lines go through the address parser. A line that is none of these is counted
 * (and the first such line kept for the log), never thrown.
 */
import { type IpRangeSet, IpRangeSetBuilder, parseIp } from "../net/mod.ts";

/** What a list file held. */
export interface ParsedList {
  /** The entries. */
  set: IpRangeSet;
  /** Lines that gave an entry. */
  entries: number;
  /** Lines that were neither an entry, a comment nor blank. */
  malformed: number;
  /** The first malformed line (1-based) and its text (at most 80 characters), for the log. */
  firstMalformed: { line: number; text: string } | null;
}

const HASH = 0x23, SEMI = 0x3b, SLASH = 0x2f, DOT = 0x2e, DASH = 0x2d, COLON = 0x3a, LF = 0x0a;
const CR = 0x0d, SPACE = 0x20, TAB = 0x09, COMMA = 0x2c, BRACE = 0x7b;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Reader state over one file's bytes; `p` moves as numbers are read. */
class Cursor {
  p = 0;
  end = 0;
  constructor(readonly b: Uint8Array) {}

  /** A decimal number of at most `maxDigits` digits at p, or -1. */
  decimal(maxDigits: number): number {
    const b = this.b;
    let n = 0, d = 0;
    while (this.p < this.end && isDigit(b[this.p]) && d < maxDigits) {
      n = n * 10 + b[this.p++] - 0x30;
      d++;
    }
    return d === 0 || (this.p < this.end && isDigit(b[this.p])) ? -1 : n;
  }

  /** A dotted-quad IPv4 address at p, or -1. */
  ipv4(): number {
    let w = 0;
    for (let i = 0; i < 4; i++) {
      if (i > 0) {
        if (this.b[this.p] !== DOT) return -1;
        this.p++;
      }
      const o = this.decimal(3);
      if (o < 0 || o > 255) return -1;
      w = w * 256 + o;
    }
    return w;
  }

  /** True when p is at the end of the entry: line end, blank, or a comment/column separator. */
  atEntryEnd(): boolean {
    if (this.p >= this.end) return true;
    const c = this.b[this.p];
    return c === LF || c === CR || c === SPACE || c === TAB || c === SEMI || c === HASH || c === COMMA;
  }
}

/** Parses a block list's bytes. */
export function parseBlocklist(bytes: Uint8Array): ParsedList {
  const builder = new IpRangeSetBuilder();
  let entries = 0, malformed = 0, line = 0;
  let firstMalformed: ParsedList["firstMalformed"] = null;
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const text = new TextDecoder();
  const cur = new Cursor(bytes);
  while (start < bytes.length) {
    let end = bytes.indexOf(LF, start);
    if (end < 0) end = bytes.length;
    line++;
    let s = start;
    while (s < end && (bytes[s] === SPACE || bytes[s] === TAB)) s++;
    let e = end;
    while (e > s && (bytes[e - 1] === CR || bytes[e - 1] === SPACE || bytes[e - 1] === TAB)) e--;
    start = end + 1;
    const c = bytes[s];
    if (s === e || c === HASH || c === SEMI || (c === SLASH && bytes[s + 1] === SLASH)) continue;
    let ok: boolean | null;
    if (c === BRACE) ok = jsonLine(builder, text.decode(bytes.subarray(s, e)));
    else ok = entry(builder, cur, s, e, text);
    if (ok === true) entries++;
    else if (ok === false) {
      malformed++;
      firstMalformed ??= { line, text: text.decode(bytes.subarray(s, Math.min(e, s + 80))) };
    }
  }
  return { set: builder.build(), entries, malformed, firstMalformed };
}

/** One entry at [s, e): true when added, false when malformed. */
function entry(builder: IpRangeSetBuilder, cur: Cursor, s: number, e: number, text: TextDecoder): boolean {
  const b = cur.b;
  // the entry is the first token: up to a blank or a separator
  let t = s;
  let v6 = false;
  while (t < e) {
    const c = b[t];
    if (c === SPACE || c === TAB || c === SEMI || c === HASH || c === COMMA) break;
    if (c === COLON) v6 = true;
    t++;
  }
  if (v6) return textEntry(builder, text.decode(b.subarray(s, t)));
  cur.p = s;
  cur.end = t;
  const a = cur.ipv4();
  if (a < 0) return false;
  if (cur.atEntryEnd()) {
    builder.addV4(a, 32);
    return true;
  }
  if (b[cur.p] === SLASH) {
    cur.p++;
    const prefix = cur.decimal(2);
    if (prefix < 0 || prefix > 32 || !cur.atEntryEnd()) return false;
    builder.addV4(a, prefix);
    return true;
  }
  if (b[cur.p] === DASH) {
    cur.p++;
    const last = cur.ipv4();
    if (last < a || !cur.atEntryEnd()) return false;
    builder.addV4Range(a, last);
    return true;
  }
  return false;
}

/** An entry as text (IPv6, or a JSON member): address or address/prefix. */
function textEntry(builder: IpRangeSetBuilder, t: string): boolean {
  const slash = t.indexOf("/");
  const ip = parseIp(slash < 0 ? t : t.slice(0, slash));
  if (!ip) return false;
  const max = ip.family === 4 ? 32 : 128;
  const bits = slash < 0 ? String(max) : t.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) return false;
  if (ip.family === 4) builder.addV4(ip.words[0], Number(bits));
  else builder.addV6(ip.words, Number(bits));
  return true;
}

/** A JSON line: true when its cidr/ip member was added, null for a line without one (metadata), false when bad. */
function jsonLine(builder: IpRangeSetBuilder, line: string): boolean | null {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return false;
  }
  if (typeof o !== "object" || o === null) return false;
  const r = o as Record<string, unknown>;
  const v = r.cidr ?? r.ip ?? r.network;
  if (v === undefined) return null;
  return typeof v === "string" && textEntry(builder, v.trim());
}
