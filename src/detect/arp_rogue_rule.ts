/**
 * rogue_device: a MAC seen for the first time after the learning period, neither known (learned,
 * acknowledged) nor allow-listed. During the learning period new MACs are learned quietly.
 */
import { rogueDevice } from "./arp_security_events.ts";
import { type ArpRuleContext, Kind } from "./arp_rule_context.ts";

/** First sight of `mac` (using or probing for `ip`): learned during the learning period, a rogue device after it. */
export function sightMac(ctx: ArpRuleContext, mac: number, ip: number): void {
  const h = ctx.history, t = ctx.t, c = ctx.counters;
  if (h.mac(mac) !== undefined) return;
  if (h.learningStartMs === null) h.learningStartMs = t;
  c.new_macs++;
  h.touch(mac, t);
  if (t < ctx.learningEnd()) {
    h.markKnown(mac);
    c.learned++;
    return;
  }
  if (h.isKnown(mac)) return;
  if (ctx.allow.has(mac)) {
    c.allowlist_suppressed++;
    return;
  }
  if (!ctx.allowed("rogue_device")) return;
  const text = rogueDevice({
    mac,
    ip,
    probing: ctx.kind === Kind.Probe,
    vendor: ctx.vendorOf(mac),
    learningEndMs: ctx.learningEnd(),
  });
  ctx.emit("rogue_device", "info", mac, ip, text);
}
