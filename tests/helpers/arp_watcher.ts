/**
 * The ARP watcher on its own, fed rows the way the flow pipeline feeds it: a test lists ARP packets and
 * IP packets (with their Ethernet source) in capture order, and reads the security events published.
 *
 * @example
 * const { feed, events } = arpWatcher({ routeGateways: () => ["10.231.200.1"] });
 * feed({ t: 0, op: 2, sha: "02:00:00:00:00:66", spa: "10.231.200.1", tpa: "10.231.200.10" });
 */
import { createPacketBatch } from "../../src/decode/packet_batch.ts";
import { ArpHistory } from "../../src/devices/arp_history.ts";
import { ArpSecurityDetector, type ArpSecurityOptions } from "../../src/detect/arp_security.ts";
import type { SecurityEvent } from "../../src/events/mod.ts";
import { addArpRow, addIpRowFrom, type ArpRow } from "./arp_rows.ts";

/** One IP packet from an Ethernet source. */
export interface IpFrom {
  /** Capture time, ms. */
  t: number;
  /** Ethernet source MAC. */
  eth: string;
  src: string;
  dst: string;
  /** @default 6 (TCP) */
  proto?: number;
  /** @default 443 */
  srcPort?: number;
  /** @default 40000 */
  dstPort?: number;
}

/** A row of either kind; ARP rows have `op`. */
export type WatchedRow = ArpRow | IpFrom;

/** A detector with a 600 s learning period unless told otherwise, its history, and what it published. */
export function arpWatcher(opts: Partial<ArpSecurityOptions> = {}) {
  const events: SecurityEvent[] = [];
  const history = opts.history ?? new ArpHistory();
  const det = new ArpSecurityDetector({
    history,
    publish: (e) => events.push(e as SecurityEvent),
    learningPeriodS: 600,
    ...opts,
  });
  /** Feeds the rows as one batch. */
  const feed = (...rows: WatchedRow[]) => {
    const b = createPacketBatch(Math.max(1, rows.length));
    for (const r of rows) {
      if ("op" in r) addArpRow(b, r);
      else {
        addIpRowFrom(b, r.eth, {
          src: r.src,
          dst: r.dst,
          srcPort: r.srcPort ?? 443,
          dstPort: r.dstPort ?? 40000,
          proto: r.proto ?? 6,
          ipBytes: 60,
          tsMs: r.t,
        });
      }
    }
    det.onRows(b, 0, b.count);
  };
  return { det, events, history, feed };
}

/** "type severity mac ip" per event, for compact assertions. */
export function brief(events: readonly SecurityEvent[]): string[] {
  return events.map((e) => `${e.type} ${e.severity} ${e.mac} ${e.ip}`);
}
