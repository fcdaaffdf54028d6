/**
 * Which SNMP credentials to use for an address: per-network rules (FLINTNET_SNMP_COMMUNITIES and the
 * SNMPv3 equivalent, parsed by config) with the most specific network winning, as a routing table
 * picks a route, and a default for everything else.
 */
import { type Cidr, cidrContainsWords, parseCidr, parseIp } from "../net/mod.ts";
import type { SnmpCredentials } from "./snmp_types.ts";

/** One per-network rule. */
export interface CredentialRule {
  /** The network, "192.0.2.0/24" or "2001:db8::/32". */
  cidr: string;
  /** Credentials for addresses inside it. */
  credentials: SnmpCredentials;
}

/** Options of {@link CredentialTable}. */
export interface CredentialTableOptions {
  /** Used where no rule matches. */
  defaultCredentials: SnmpCredentials;
  /** Per-network rules, in any order. */
  rules: readonly CredentialRule[];
}

/** Longest-prefix lookup of credentials by address, IPv4 and IPv6. */
export class CredentialTable {
  #default: SnmpCredentials;
  /** Longest prefix first; among equal prefixes, the order given (the first one given wins). */
  #rules: { cidr: Cidr; credentials: SnmpCredentials }[];

  /** @throws RangeError when a rule's network is not valid */
  constructor(opts: CredentialTableOptions) {
    this.#default = opts.defaultCredentials;
    this.#rules = opts.rules
      .map((r) => ({ cidr: parseCidr(r.cidr), credentials: r.credentials }))
      .sort((a, b) => b.cidr.prefix - a.cidr.prefix); // Array.prototype.sort is stable
  }

  /**
   * The credentials of the most specific rule containing `ip`, or the default. An IPv4-mapped IPv6
   * address (::ffff:192.0.2.1) is looked up as the IPv4 address it carries; text that is not an address
   * gets the default.
   */
  for(ip: string): SnmpCredentials {
    const p = parseIp(ip);
    if (p === undefined) return this.#default;
    let family: number = p.family, words: ArrayLike<number> = p.words;
    if (family === 6 && words[0] === 0 && words[1] === 0 && words[2] === 0xffff) {
      family = 4;
      words = [words[3]];
    }
    for (const r of this.#rules) {
      if (cidrContainsWords(r.cidr, family, words)) return r.credentials;
    }
    return this.#default;
  }

  /** Number of rules. */
  get size(): number {
    return this.#rules.length;
  }
}
