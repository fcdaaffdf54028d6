/**
 * Palo Alto Networks: PAN-OS firewalls (PA-series, VM-Series), WildFire appliances.
 *
 * Where the identifiers come from: Palo Alto Networks' enterprise 25461 and panMibs sysObjectIDs
 * 25461.2.3.* (Datadog palo-alto); the sysDescr examples Datadog lists ("Palo Alto Networks PA-220
 * series firewall", "… VM-Series firewall", "… WildFire Appliance") and LibreNMS's captured PA-3000
 * (tests/snmpsim/panos.snmprec).
 */
import type { ProductDefinition } from "../definition.ts";

const ENTERPRISE = "1.3.6.1.4.1.25461";

export const PALO_ALTO: readonly ProductDefinition[] = [
  {
    id: "paloalto-wildfire",
    os: "PAN-OS",
    vendor: "Palo Alto Networks",
    type: "server",
    match: [{ sysObjectId: [ENTERPRISE], sysDescr: String.raw`^Palo Alto Networks WildFire` }],
    examples: [{
      sysObjectId: ENTERPRISE,
      sysDescr: "Palo Alto Networks WildFire Appliance",
      model: null,
      version: null,
    }],
  },
  {
    id: "paloalto-panos",
    os: "PAN-OS",
    vendor: "Palo Alto Networks",
    type: "firewall",
    match: [{ sysObjectId: [ENTERPRISE] }, { sysDescr: String.raw`^Palo Alto Networks .*\bfirewall\b` }],
    model: [{ sysDescr: String.raw`^Palo Alto Networks\s+(.+?)(?:\s+series)?\s+firewall\b` }],
    examples: [{
      sysObjectId: ENTERPRISE,
      sysDescr: "Palo Alto Networks PA-3000 series firewall",
      model: "PA-3000",
      version: null,
    }, {
      sysObjectId: "",
      sysDescr: "Palo Alto Networks VM-Series firewall",
      model: "VM-Series",
      version: null,
    }],
  },
];
