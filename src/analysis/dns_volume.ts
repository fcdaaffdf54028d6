/**
 * DNS volume per host: a local host that sent at least `queriesPerMinute` DNS queries (packets to port
 * 53) in a minute. Resolvers that forward for others answer queries too, and are left out: a host whose
 * answered queries (packets it received on port 53) are at least half of what it sent.
 */
import type { AdvisoryType } from "../events/mod.ts";
import type { Analyzer, Finding, MinuteInput } from "./analyzer.ts";
import { count } from "./services.ts";

/** Heavy DNS users. */
export class DnsVolumeAnalyzer implements Analyzer {
  readonly name = "dns_volume";
  readonly types: readonly AdvisoryType[] = ["dns_volume"];
  readonly resolveAfterRuns = 3;
  #threshold: number;

  /** `queriesPerMinute`: FLINTNET_DNS_QUERY_THRESHOLD. */
  constructor(queriesPerMinute: number) {
    this.#threshold = queriesPerMinute;
  }

  analyze(m: MinuteInput): Finding[] {
    const out: Finding[] = [];
    for (const h of m.summary.hosts) {
      if (h.dns_queries < this.#threshold || h.dns_served * 2 >= h.dns_queries) continue;
      out.push({
        type: "dns_volume",
        key: h.ip,
        severity: h.dns_queries >= this.#threshold * 10 ? "critical" : "warning",
        subject: h.ip,
        subject_kind: "host",
        ip: h.ip,
        summary: `${h.ip} sent ${count(h.dns_queries)} DNS queries in a minute (threshold ${
          count(this.#threshold)
        }) — malware, DNS tunnelling or a misconfigured program.`,
        action: `Look at the names ${h.ip} asks for (the resolver's log): many random names point at ` +
          "malware or tunnelling; one name again and again at a program without a cache.",
        evidence: { dns_queries: h.dns_queries, threshold: this.#threshold, sent_packets: h.sent_packets },
      });
    }
    return out;
  }
}
