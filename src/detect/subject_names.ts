/**
 * What anomaly subjects are called: the stable key of a flow, host or subnet (the hour-of-day store,
 * baselines.json and the rate limit file them under it) and the members of an event that name it.
 * Built when a subject needs a name — an episode opening, an hour-of-day entry — never per packet.
 */
import type { AnomalyScope } from "../events/mod.ts";
import { formatIp } from "../net/mod.ts";
import { communityId, type FlowTable } from "../flow/mod.ts";
import type { AddressTable } from "./address_table.ts";
import type { EpisodeSubject } from "./anomaly_episode.ts";
import { endpoints } from "./anomaly_text.ts";

/** Address-table tags: the traffic a host or subnet sent, or received. */
export const SENT = 0, RECEIVED = 1;
/** Subnet prefix lengths: the usual LAN segment of each family. */
export const SUBNET_PREFIX = { 4: 24, 6: 64 } as const;
const SCOPE_FLOW = 0, SCOPE_HOST = 1;

/** Keys and event names of the subjects of one detector. */
export class SubjectNames {
  #t: FlowTable;
  #tables: AddressTable[];
  // Host and subnet keys, cached per slot until the slot holds another address.
  #keys: (string | undefined)[][] = [[], [], []];

  constructor(flows: FlowTable, hosts: AddressTable, subnets: AddressTable) {
    this.#t = flows;
    this.#tables = [hosts, hosts, subnets];
  }

  /** Drops the cached key of a host or subnet slot (it now holds another address). */
  forget(scope: number, slot: number): void {
    const keys = this.#keys[scope];
    if (slot < keys.length) keys[slot] = undefined; // (not growing an array of undefined for slots never named)
  }

  /** "f|src|dst|sport|dport|proto", "h|s|10.0.0.5" (s: sent, r: received), "n|r|10.0.0.0/24". */
  key(scope: number, slot: number): string {
    if (scope === SCOPE_FLOW) {
      const t = this.#t, a = slot << 2, fam = t.family[slot];
      return `f|${formatIp(fam, t.src, a)}|${formatIp(fam, t.dst, a)}|${t.srcPort[slot]}|${t.dstPort[slot]}|${
        t.proto[slot]
      }`;
    }
    const cached = this.#keys[scope][slot];
    if (cached !== undefined) return cached;
    const sent = this.#tables[scope].tag[slot] === SENT;
    const key = `${scope === SCOPE_HOST ? "h" : "n"}|${sent ? "s" : "r"}|${this.#address(scope, slot)}`;
    this.#keys[scope][slot] = key;
    return key;
  }

  /** A host's address, or a subnet's network with its prefix. */
  #address(scope: number, slot: number): string {
    const table = this.#tables[scope], fam = table.family[slot], ip = formatIp(fam, table.words, slot << 2);
    return scope === SCOPE_HOST ? ip : `${ip}/${SUBNET_PREFIX[fam as 4 | 6]}`;
  }

  /** The subject as events name it. */
  describe(scope: number, slot: number): EpisodeSubject {
    const key = this.key(scope, slot);
    if (scope === SCOPE_FLOW) {
      const t = this.#t, a = slot << 2, fam = t.family[slot];
      const src = formatIp(fam, t.src, a), dst = formatIp(fam, t.dst, a);
      const sp = t.srcPort[slot], dp = t.dstPort[slot], proto = t.proto[slot];
      return {
        key,
        scope: "flow",
        subject: endpoints(src, dst, proto, sp, dp),
        direction: "sent",
        src_ip: src,
        dst_ip: dst,
        src_port: sp,
        dst_port: dp,
        protocol: proto,
        community_id: communityId(fam, t.src, a, t.dst, a, proto, sp, dp),
        cidr: null,
      };
    }
    const text = this.#address(scope, slot), sent = this.#tables[scope].tag[slot] === SENT;
    const host = scope === SCOPE_HOST;
    return {
      key,
      scope: (host ? "host" : "subnet") as AnomalyScope,
      subject: text,
      direction: sent ? "sent" : "received",
      src_ip: host && sent ? text : null,
      dst_ip: host && !sent ? text : null,
      src_port: null,
      dst_port: null,
      protocol: null,
      community_id: null,
      cidr: host ? null : text,
    };
  }
}
