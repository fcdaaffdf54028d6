/**
 * DNS volume per host: a local host that sent at least `queriesPerMinute` DNS queries (packets to port
 * 53) in a minute. Resolvers that forward for others answer queries too, and are left out: a host whose
 * answered queries (packets it received on port 53) are at least half of what it sent.
 */
import type { AdvisoryType } from "../events/mod.ts";
import type { Analyzer, Finding, MinuteInput } from "./analyzer.ts";
import { DNS_QUERIES, DNS_SERVED, HOST_FIELDS, SENT_PACKETS } from "./minute_hosts.ts";
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
    const out: Finding[] = [], hosts = m.hosts, sums = hosts.sums;
    // The columns read directly: this loop over every host of the minute runs once a minute, mostly
    // before the JIT has optimised it, where each call per host costs.
    for (let i = 0, h = 0; i < hosts.count; i++, h += HOST_FIELDS) {
      const queries = sums[h + DNS_QUERIES];
      if (queries < this.#threshold || sums[h + DNS_SERVED] * 2 >= queries) continue;
      const ip = hosts.ip(i);
      out.push({
        type: "dns_volume",
        key: ip,
        severity: queries >= this.#threshold * 10 ? "critical" : "warning",
        subject: ip,
        subject_kind: "host",
        ip,
        summary: `${ip} sent ${count(queries)} DNS queries in a minute (threshold ${
          count(this.#threshold)
        }) — malware, DNS tunnelling or a misconfigured program.`,
        action: `Look at the names ${ip} asks for (the resolver's log): many random names point at ` +
          "malware or tunnelling; one name again and again at a program without a cache.",
        evidence: {
          dns_queries: queries,
          threshold: this.#threshold,
          sent_packets: hosts.get(i, SENT_PACKETS),
        },
      });
    }
    return out;
  }
}
