/**
 * Firewall distributions on FreeBSD: pfSense (Netgate) and OPNsense (Deciso).
 *
 * Where the identifiers come from: pfSense's bsnmpd prints "pfSense <host> <version> <FreeBSD
 * uname>" as sysDescr and answers with begemotSnmpdAgentFreeBSD (1.3.6.1.4.1.12325.1.1.2.1.1,
 * BEGEMOT-SNMPD-MIB); OPNsense's net-snmp plugin answers netSnmpAgentOIDs.freebsd (8072.3.2.8,
 * NET-SNMP-TC) with "OPNsense" in sysDescr (LibreNMS pfsense and opnsense key on these words).
 */
import type { ProductDefinition } from "../definition.ts";

export const BSD_FIREWALLS: readonly ProductDefinition[] = [
  {
    id: "pfsense",
    os: "pfSense",
    vendor: "Netgate",
    type: "firewall",
    match: [{ sysDescr: String.raw`\bpfSense\b` }],
    version: [{ sysDescr: String.raw`^pfSense \S+ (\d+\.\d+(?:\.\d+)?-RELEASE(?:-p\d+)?)` }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.8072.3.2.8",
      sysDescr: "FreeBSD pfsense.example.net 14.0-CURRENT FreeBSD 14.0-CURRENT amd64",
      model: null,
      version: null,
    }, {
      sysObjectId: "1.3.6.1.4.1.12325.1.1.2.1.1",
      sysDescr: "pfSense fw.example.net 2.7.2-RELEASE FreeBSD 14.0-CURRENT amd64",
      model: null,
      version: "2.7.2-RELEASE",
    }],
  },
  {
    id: "opnsense",
    os: "OPNsense",
    vendor: "Deciso",
    type: "firewall",
    match: [{ sysDescr: String.raw`\bOPNsense\b` }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.8072.3.2.8",
      sysDescr: "OPNsense",
      model: null,
      version: null,
    }],
  },
];
