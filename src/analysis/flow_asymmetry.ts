/**
 * Flow asymmetry across exporters: conversations whose one direction was reported by one NetFlow/IPFIX
 * exporter and the other direction by another, none reporting both — traffic leaves through one router
 * and comes back through another. Stateful firewalls drop such traffic, and per-router statistics show
 * half of it; reported per pair of exporters with at least `minConversations` in a minute.
 */
import type { AdvisoryType } from "../events/mod.ts";
import type { Analyzer, Finding, MinuteInput } from "./analyzer.ts";
import { bytesText, count } from "./services.ts";

/** Asymmetric routing between exporters. */
export class FlowAsymmetryAnalyzer implements Analyzer {
  readonly name = "flow_asymmetry";
  readonly types: readonly AdvisoryType[] = ["flow_asymmetry"];
  readonly resolveAfterRuns = 5;
  #min: number;

  constructor(minConversations = 10) {
    this.#min = minConversations;
  }

  analyze(m: MinuteInput): Finding[] {
    const out: Finding[] = [];
    for (const [pair, p] of m.asymmetric) {
      if (p.conversations < this.#min) continue;
      const [a, b] = pair.split("|");
      out.push({
        type: "flow_asymmetry",
        key: pair,
        severity: "info",
        subject: `${a} and ${b}`,
        subject_kind: "exporter",
        ip: a,
        summary:
          `${count(p.conversations)} conversations (${bytesText(p.bytes)}) went out through one of ${a} ` +
          `and ${b} and came back through the other in a minute — asymmetric routing.`,
        action: "If a firewall sits on either path it will drop these; check the routes (or the HSRP/VRRP " +
          "priorities) so both directions take the same router.",
        evidence: { conversations: p.conversations, bytes: p.bytes, sample: p.sample },
      });
    }
    return out;
  }
}
