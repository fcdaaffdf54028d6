/**
 * TP-Link: JetStream managed switches.
 *
 * Where the identifiers come from: TP-Link's enterprise 11863 with the switch subtrees 11863.1 and
 * 11863.5 (Datadog tp-link profile, LibreNMS jetstream); the "JetStream …" sysDescr these switches print
 * (LibreNMS jetstream keys on it).
 */
import type { ProductDefinition } from "../definition.ts";

export const TPLINK: readonly ProductDefinition[] = [
  {
    id: "tplink-jetstream",
    os: "JetStream",
    vendor: "TP-Link",
    type: "switch",
    match: [{ sysObjectId: ["1.3.6.1.4.1.11863.1", "1.3.6.1.4.1.11863.5"] }, {
      sysDescr: String.raw`\bJetStream\b`,
    }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.11863.5",
      sysDescr: "JetStream 24-Port Gigabit L2 Managed Switch with 4 SFP Slots",
      model: null,
      version: null,
    }],
  },
];
