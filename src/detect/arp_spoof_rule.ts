/**
 * arp_spoof: one MAC claiming several addresses at the same time (A, then B, then A again within the
 * window) — how ARP spoofing puts itself between other devices. A MAC whose addresses are all
 * established (a host's learned secondaries), an allow-listed MAC and a virtual router MAC are not.
 */
import type { ArpBinding } from "../devices/mod.ts";
import { severalAddresses } from "./arp_security_events.ts";
import { type ArpRuleContext, SLOT_SPOOF } from "./arp_rule_context.ts";
import { isVirtualRouterMac } from "./virtual_macs.ts";

/**
 * `mac` went back to `ip` (which it held `before`) while it claimed `cur` within the window:
 * several IPs at once. `ips` are all its bindings.
 */
export function severalIps(
  ctx: ArpRuleContext,
  mac: number,
  ip: number,
  ips: ReadonlyMap<number, ArpBinding>,
  cur: ArpBinding,
  before: { first: number; last: number },
): void {
  const t = ctx.t, c = ctx.counters, since = t - ctx.windowMs;
  // Claiming A then B once is a change of address; A, B, A again within the window is both at once.
  if (before.last < since || cur.last < since) return;
  if (ctx.allow.has(mac)) return void c.allowlist_suppressed++;
  if (isVirtualRouterMac(mac)) return void c.virtual_mac_suppressed++;
  const set = [{ ip, first: before.first, last: t }];
  for (const b of ips.values()) {
    if (b.ip !== ip && b.last >= since) set.push({ ip: b.ip, first: b.first, last: b.last });
  }
  let subject: { ip: number; first: number } | undefined;
  for (const s of set) {
    if (!ctx.established(s.first, t) && (subject === undefined || s.first > subject.first)) subject = s;
  }
  if (subject === undefined) return void c.secondaries_suppressed++;
  // A gateway: one of the addresses belonged, long and before this MAC, to another MAC.
  let gateway: { ip: number; owner: number } | undefined;
  for (const s of set) {
    for (const b of ctx.history.ipRecord(s.ip)?.claims ?? []) {
      if (b.mac !== mac && b.first < s.first && ctx.established(b.first, t)) {
        gateway ??= { ip: s.ip, owner: b.mac };
      }
    }
  }
  if (!ctx.history.raise(SLOT_SPOOF, mac, subject.ip, t, ctx.quietMs)) return void c.repeats_suppressed++;
  if (!ctx.allowed("arp_spoof")) return;
  const text = severalAddresses({ mac, addresses: set, gateway, windowMs: ctx.windowMs });
  ctx.emit("arp_spoof", gateway ? "critical" : "warning", mac, subject.ip, text);
}
