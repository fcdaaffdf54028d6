/**
 * MAC addresses (IEEE 802 EUI-48): the one parser every part of Flintnet uses for text that people,
 * files and SNMP agents hand it, and the two bits of the first octet that say what kind of address it
 * is. Held as a 48-bit number (exact in a double); written with formatMac from src/flow/address.ts.
 */
import { formatMac } from "./address.ts";

const COLONS_OR_DASHES = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i;
const CISCO_DOTTED = /^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/i;
const BARE = /^[0-9a-f]{12}$/i;

/** 2^40: divides a 48-bit MAC down to its first octet. */
const FIRST_OCTET = 2 ** 40;

/**
 * A MAC address as a 48-bit number, or undefined when the text is not one. Accepts the spellings
 * people and agents use: `00:1a:2b:3c:4d:5e`, `00-1A-2B-3C-4D-5E` (one separator throughout), Cisco's
 * `001a.2b3c.4d5e` and twelve bare hex digits.
 */
export function parseMac(text: string): number | undefined {
  if (text.length === 17) return separatedMac(text);
  let hex: string;
  if (COLONS_OR_DASHES.test(text)) hex = text.replace(/[:-]/g, "");
  else if (CISCO_DOTTED.test(text)) hex = text.replaceAll(".", "");
  else if (BARE.test(text)) hex = text;
  else return undefined;
  return parseInt(hex, 16);
}

/**
 * `00:1a:2b:3c:4d:5e` or `00-1A-…` (one separator throughout), character by character: the form every state
 * file writes, read for each MAC at a start (65,536 of them through the expressions and replace() took 50–100
 * ms of one).
 */
function separatedMac(text: string): number | undefined {
  const sep = text.charCodeAt(2);
  if (sep !== 0x3a && sep !== 0x2d) return undefined; // ":" or "-"
  let mac = 0;
  for (let i = 0; i < 17; i += 3) {
    if (i > 0 && text.charCodeAt(i - 1) !== sep) return undefined;
    const hi = hexDigit(text.charCodeAt(i)), lo = hexDigit(text.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) return undefined;
    mac = mac * 256 + hi * 16 + lo;
  }
  return mac;
}

/** The value of a hex digit's character code, or -1. */
function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20; // lower case
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

/** A MAC address in the one form Flintnet shows (lower case, colons), or null when it is not one. */
export function normalizeMac(text: string): string | null {
  const m = parseMac(text);
  return m === undefined ? null : formatMac(m);
}

/**
 * Search text that can only be part of a MAC in a spelling without colons — `00-1a-2b`, Cisco's
 * `001a.2b3c`, bare `001a2b` — as its bare lower-case hex digits, else null. Digits and dots alone that
 * do not group as Cisco's do ("10.0") stay an address fragment.
 */
export function macHexFragment(text: string): string | null {
  const t = text.toLowerCase();
  if (!/^([0-9a-f]{2}(-[0-9a-f]{2})+-?|[0-9a-f]{4}(\.[0-9a-f]{1,4})+|[0-9a-f]{6,12})$/.test(t)) return null;
  return t.replace(/[.\-]/g, "");
}

/**
 * The U/L bit (IEEE 802-2014 §8.2: bit 1 of the first octet): set on locally administered addresses —
 * randomised "private" Wi-Fi addresses, VMs, containers — which name no vendor.
 */
export function isLocallyAdministered(mac48: number): boolean {
  return (Math.floor(mac48 / FIRST_OCTET) & 0x02) !== 0;
}

/** The I/G bit (IEEE 802-2014 §8.2: bit 0 of the first octet): a group (multicast or broadcast) address. */
export function isMulticast(mac48: number): boolean {
  return (Math.floor(mac48 / FIRST_OCTET) & 0x01) !== 0;
}
