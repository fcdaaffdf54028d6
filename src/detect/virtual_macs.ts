/**
 * First-hop redundancy protocols give a router address a virtual MAC that moves between routers on
 * failover. Such a MAC legitimately answers for an IP that a physical router MAC also claims, so the
 * ARP watcher must not call it spoofing. MACs are 48-bit integers, as the decoder writes them.
 */

/** 2^8: one MAC octet. */
const OCTET = 0x100;

/** VRRP for IPv4: 00-00-5E-00-01-{VRID} (RFC 5798 §7.3). CARP uses the same range. */
const VRRP_V4_PREFIX = 0x00005e0001;
/** VRRP for IPv6: 00-00-5E-00-02-{VRID} (RFC 5798 §7.3). */
const VRRP_V6_PREFIX = 0x00005e0002;
/** HSRP version 1: 00-00-0C-07-AC-{group} (RFC 2281, "0000.0c07.acXX"). */
const HSRP_V1_PREFIX = 0x00000c07ac;
/** HSRP version 2: 00-00-0C-9F-F0-00 … 00-00-0C-9F-FF-FF, 12 bits of group (Cisco HSRP v2). */
const HSRP_V2_PREFIX = 0x00000c9ff;
/** GLBP: 00-07-B4-xx-xx-xx (Cisco GLBP, "0007.b4xx.xxyy"). */
const GLBP_PREFIX = 0x0007b4;

/** The redundancy protocol a virtual router MAC belongs to. */
export type VirtualRouterProtocol = "VRRP/CARP (IPv4)" | "VRRP (IPv6)" | "HSRP v1" | "HSRP v2" | "GLBP";

/** Which first-hop redundancy protocol `mac48` is a virtual router MAC of, or null for an ordinary MAC. */
export function virtualRouterProtocol(mac48: number): VirtualRouterProtocol | null {
  const top40 = Math.floor(mac48 / OCTET);
  if (top40 === VRRP_V4_PREFIX) return "VRRP/CARP (IPv4)";
  if (top40 === VRRP_V6_PREFIX) return "VRRP (IPv6)";
  if (top40 === HSRP_V1_PREFIX) return "HSRP v1";
  if (Math.floor(mac48 / 0x1000) === HSRP_V2_PREFIX) return "HSRP v2";
  if (Math.floor(mac48 / 0x1000000) === GLBP_PREFIX) return "GLBP";
  return null;
}

/** True when `mac48` is a VRRP, CARP, HSRP (v1/v2) or GLBP virtual router MAC. */
export function isVirtualRouterMac(mac48: number): boolean {
  return virtualRouterProtocol(mac48) !== null;
}
