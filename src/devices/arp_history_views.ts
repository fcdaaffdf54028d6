/**
 * The ARP history as the API shows it (a MAC's record; the claims on an address): pure
 * functions of the read-only records src/devices/arp_bindings.ts hands out.
 */
import { formatIpv4, formatMac, isLocallyAdministered } from "../net/mod.ts";
import type { IpRecord, MacRecord } from "./arp_bindings.ts";

/** A MAC as the API shows it. */
export interface ArpHistoryJson {
  mac: string;
  first_seen: string;
  last_seen: string;
  /** Every address it held, most recent first. */
  ips: { ip: string; first_seen: string; last_seen: string }[];
  /** Address changes, oldest first. */
  ip_changes: { ts: string; ip: string; previous_ip: string | null; previous_mac: string | null }[];
  /** The "locally administered" bit is set: a randomised or software-assigned MAC, no vendor. */
  locally_administered: boolean;
  /** Learned during the learning period or acknowledged: its appearance is not news. */
  known: boolean;
  /** Acknowledged by a person. */
  acknowledged: boolean;
}

/** One MAC's claim on an IP, as the API shows it. */
export interface IpClaimJson {
  mac: string;
  first_seen: string;
  last_seen: string;
  locally_administered: boolean;
}

/** `rec` as the API shows it; `known` and `acknowledged` come from the history's sets. */
export function macRecordJson(rec: MacRecord, known: boolean, acknowledged: boolean): ArpHistoryJson {
  const ips = [...rec.ips.values()].sort((a, b) => b.last - a.last);
  return {
    mac: formatMac(rec.mac),
    first_seen: iso(rec.first),
    last_seen: iso(rec.last),
    ips: ips.map((b) => ({ ip: formatIpv4(b.ip), first_seen: iso(b.first), last_seen: iso(b.last) })),
    ip_changes: rec.changes.map((c) => ({
      ts: iso(c.at),
      ip: formatIpv4(c.ip),
      previous_ip: c.previousIp < 0 ? null : formatIpv4(c.previousIp),
      previous_mac: c.previousMac < 0 ? null : formatMac(c.previousMac),
    })),
    locally_administered: isLocallyAdministered(rec.mac),
    known,
    acknowledged,
  };
}

/** The claims on one IP as the API shows them, most recent first. */
export function ipClaimsJson(rec: IpRecord): IpClaimJson[] {
  return [...rec.claims].sort((a, b) => b.last - a.last).map((b) => ({
    mac: formatMac(b.mac),
    first_seen: iso(b.first),
    last_seen: iso(b.last),
    locally_administered: isLocallyAdministered(b.mac),
  }));
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
