/**
 * Top talkers: a local host that carried at least `share` of the minute's octets (sent and received),
 * when the minute carried enough for a share to matter, with its main peers and services from the
 * minute's flows ("10.0.1.50 is using 73 % of total bandwidth, mostly HTTPS to 52.94.0.0/16").
 */
import type { AdvisoryType } from "../events/mod.ts";
import { formatIp } from "../net/mod.ts";
import type { Analyzer, Finding, MinuteInput } from "./analyzer.ts";
import { HOST_FIELDS, RECEIVED_BYTES, SENT_BYTES } from "./minute_hosts.ts";
import { bytesText, serviceOf } from "./services.ts";

/** Thresholds. */
export interface TopTalkerOptions {
  /** Share of the minute's octets, 0 … 1. @default 0.5 */
  share: number;
  /** Octets the minute must carry. @default 60 MB (8 Mbit/s) */
  minTotalBytes: number;
}

/** Hosts that use most of the bandwidth. */
export class TopTalkerAnalyzer implements Analyzer {
  readonly name = "top_talkers";
  readonly types: readonly AdvisoryType[] = ["top_talker"];
  readonly resolveAfterRuns = 3;
  #o: TopTalkerOptions;

  constructor(o: TopTalkerOptions) {
    this.#o = o;
  }

  analyze(m: MinuteInput): Finding[] {
    const total = m.summary.totals.bytes;
    if (total < this.#o.minTotalBytes || total === 0) return [];
    const out: Finding[] = [], hosts = m.hosts, sums = hosts.sums;
    // The columns read directly (see dns_volume.ts).
    for (let i = 0, h = 0; i < hosts.count; i++, h += HOST_FIELDS) {
      const sent = sums[h + SENT_BYTES], received = sums[h + RECEIVED_BYTES];
      const bytes = sent + received;
      const share = bytes / total;
      if (share < this.#o.share) continue;
      const ip = hosts.ip(i);
      const peers = this.#peers(m, i);
      const main = peers[0];
      const pct = Math.round(share * 100);
      out.push({
        type: "top_talker",
        key: ip,
        severity: "info",
        subject: ip,
        subject_kind: "host",
        ip,
        summary: `${ip} is using ${pct} % of total bandwidth (${bytesText(bytes)} of ${bytesText(total)} ` +
          `in a minute)${main ? `, mostly ${main.service} to ${main.peer}` : ""}.`,
        action: `If ${ip} is not expected to use this much (a backup, an update server), find the ` +
          "program behind it; consider a bandwidth limit for it on the router.",
        evidence: {
          share: Math.round(share * 1000) / 1000,
          bytes,
          total_bytes: total,
          sent_bytes: sent,
          received_bytes: received,
          top_peers: peers.slice(0, 5),
        },
      });
    }
    return out;
  }

  /** Host `i`'s octets by (service, peer network), most first, from the minute's kept flows. */
  #peers(m: MinuteInput, i: number): { peer: string; service: string; bytes: number }[] {
    const f = m.summary.flows, hosts = m.hosts;
    const by = new Map<string, { peer: string; service: string; bytes: number }>();
    for (let r = 0; r < f.count; r++) {
      const k = r << 2, fam = f.family[r];
      const isSrc = hosts.is(i, fam, f.src, k);
      if (!isSrc && !hosts.is(i, fam, f.dst, k)) continue;
      const words = isSrc ? f.dst : f.src;
      const peer = fam === 4
        ? `${formatIp(4, [(words[k] & 0xffff0000) >>> 0], 0)}/16`
        : `${formatIp(6, [words[k], words[k + 1], words[k + 2], 0], 0)}/48`;
      const service = serviceOf(f.proto[r], f.srcPort[r], f.dstPort[r]);
      const key = `${service}|${peer}`;
      let e = by.get(key);
      if (e === undefined) by.set(key, e = { peer, service, bytes: 0 });
      e.bytes += f.bytes[r];
    }
    return [...by.values()].sort((a, b) => b.bytes - a.bytes);
  }
}
