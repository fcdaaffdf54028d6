/**
 * Networks as discovery reads them: parsing `address/prefix` for either family, membership tests, and
 * the host addresses of an IPv4 network, produced one at a time so a /16 never becomes a 65,534-entry
 * array just to be walked.
 *
 * IPv6 networks are not enumerated: a /64 holds 2^64 addresses, so a sweep only probes IPv6 hosts
 * already seen (in traffic or in a polled neighbour table). {@link ipv4Hosts} refuses them and says so.
 */
import { formatIpv4, formatIpv6, parseIp } from "./address.ts";

/**
 * A parsed network: address words (IPv4 in word 0, IPv6 big-endian in words 0–3) with host bits cleared,
 * and the mask, word by word. The same shape the flow and device filters match against.
 */
export interface Cidr {
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** Prefix length (0–32 or 0–128). */
  readonly prefix: number;
  /** Network address words, host bits zero. */
  readonly network: Uint32Array;
  /** Mask words. */
  readonly mask: Uint32Array;
}

/** Largest network {@link ipv4Hosts} walks unless told otherwise: a /16. */
export const DEFAULT_MAX_HOSTS = 65_534;

/**
 * Parses "192.0.2.0/24" or "2001:db8::/32". Host bits are cleared, as `ip route` reads them
 * (192.0.2.7/24 is 192.0.2.0/24).
 * @throws RangeError naming the bad value and what is accepted
 */
export function parseCidr(text: string): Cidr {
  const c = tryParseCidr(text);
  if (c === undefined) {
    throw new RangeError(
      `network ${JSON.stringify(text)} is not valid; accepted: address/prefix, e.g. 192.0.2.0/24 (0–32) ` +
        `or 2001:db8::/32 (0–128)`,
    );
  }
  return c;
}

/** As {@link parseCidr}, for callers with their own wording of the error: undefined when `text` is not a network. */
export function tryParseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  const ip = slash < 0 ? undefined : parseIp(text.slice(0, slash));
  const bits = slash < 0 ? "" : text.slice(slash + 1);
  const max = ip?.family === 4 ? 32 : 128;
  const prefix = /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!ip || !(prefix <= max)) return undefined;
  const mask = new Uint32Array(4), network = new Uint32Array(4);
  for (let i = 0; i < (ip.family === 4 ? 1 : 4); i++) {
    const b = Math.min(32, Math.max(0, prefix - 32 * i));
    mask[i] = b === 0 ? 0 : (0xffffffff << (32 - b)) >>> 0;
    network[i] = (ip.words[i] & mask[i]) >>> 0;
  }
  return { family: ip.family, prefix, network, mask };
}

/** Whether the parsed address `words` of `family` lies inside `c`. */
export function cidrContainsWords(c: Cidr, family: number, words: ArrayLike<number>): boolean {
  if (family !== c.family) return false;
  for (let i = 0; i < (family === 4 ? 1 : 4); i++) {
    if (((words[i] & c.mask[i]) >>> 0) !== c.network[i]) return false;
  }
  return true;
}

/** Whether the address text `ip` lies inside `c` (false for text that is not an address). */
export function cidrContains(c: Cidr, ip: string): boolean {
  const p = parseIp(ip);
  return p !== undefined && cidrContainsWords(c, p.family, p.words);
}

/**
 * How many host addresses an IPv4 network of this prefix has: 2^(32-p) - 2 (no network or broadcast
 * address) below /31, 2 for a /31 (RFC 3021 point-to-point), 1 for a /32.
 */
export function ipv4HostCount(prefix: number): number {
  if (prefix >= 32) return 1;
  if (prefix === 31) return 2;
  return 2 ** (32 - prefix) - 2;
}

/** Options of {@link ipv4Hosts}. */
export interface HostOptions {
  /** Refuse networks with more hosts than this. @default 65_534 (a /16) */
  maxHosts?: number;
}

/**
 * The host addresses of an IPv4 network in ascending order, generated lazily. Checks happen at the
 * call, not at the first `next()`, so a bad network fails where it is named.
 * @throws RangeError for text that is not a network, an IPv6 network (not swept: only hosts already seen
 *   are probed), or a network with more hosts than `maxHosts`
 */
export function ipv4Hosts(cidr: string | Cidr, opts: HostOptions = {}): IterableIterator<string> {
  const c = typeof cidr === "string" ? parseCidr(cidr) : cidr;
  const shown = typeof cidr === "string" ? cidr : cidrText(c);
  if (c.family !== 4) {
    throw new RangeError(
      `network ${shown} is IPv6 and is not swept address by address; only IPv6 hosts already seen are probed`,
    );
  }
  const maxHosts = opts.maxHosts ?? DEFAULT_MAX_HOSTS;
  const count = ipv4HostCount(c.prefix);
  if (count > maxHosts) {
    throw new RangeError(
      `network ${shown} has ${count} host addresses, more than the ${maxHosts} a sweep accepts; ` +
        `accepted: a prefix of /${minimumPrefix(maxHosts)} or longer (split it into smaller networks)`,
    );
  }
  const first = c.prefix >= 31 ? c.network[0] : c.network[0] + 1;
  return generate(first, count);
}

/** "192.0.2.0/24" or "2001:db8::/32" for a parsed network. */
export function cidrText(c: Cidr): string {
  return `${c.family === 4 ? formatIpv4(c.network[0]) : formatIpv6(c.network, 0)}/${c.prefix}`;
}

function* generate(first: number, count: number): Generator<string, void, undefined> {
  for (let i = 0; i < count; i++) yield formatIpv4((first + i) >>> 0);
}

/** The shortest IPv4 prefix whose host count fits `maxHosts`. */
function minimumPrefix(maxHosts: number): number {
  let p = 0;
  while (p < 32 && ipv4HostCount(p) > maxHosts) p++;
  return p;
}
