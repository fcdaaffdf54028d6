/**
 * The rules that decide a type when no product definition does: what the agent's MIBs say the box
 * does (capabilities), and, for hosts without SNMP, guesses from the MAC's vendor and the services seen
 * in traffic. Each rule is a named predicate with the evidence it found, so `type_rule` can say why.
 *
 * Three tables, tried in this order around the generic platform definitions (see classify.ts):
 * - {@link ROLE_RULES}: capabilities that name the box's role outright — its own Printer-MIB print
 *   engine, a UPS-MIB, LLDP saying "WLAN access point" or "telephone". They beat a generic platform:
 *   an access point or a printer runs Linux too.
 * - {@link CAPABILITY_RULES}: forwarding, bridging and sysServices. They lose to a generic platform:
 *   a Linux server forwards IP for its containers and runs lldpd, which then advertises "router".
 * - {@link GUESS_RULES}: no SNMP at all; the MAC's manufacturer and the ports the host serves.
 */

import type { DefinedType } from "./definition.ts";
import type { DeviceFacts } from "./classify.ts";
import type { LldpCapability } from "../polling/mod.ts";

/** One rule: a named, testable predicate over the facts. */
export interface ClassifyRule {
  /** Stable id, shown in `type_rule` after its table's kind ("capability:bridge-mib"). */
  id: string;
  /** The type this rule assigns. */
  type: DefinedType;
  /** What the rule looks at, for people. */
  description: string;
  /** Whether the facts satisfy the rule. */
  match(facts: DeviceFacts): boolean;
  /** What was found, in words ("sysServices 78: layers 2, 3, 4, 7"); called only after a match. */
  evidence(facts: DeviceFacts): string;
}

// ---- fact accessors -------------------------------------------------------------------------------

function lldp(f: DeviceFacts, cap: LldpCapability): boolean {
  return f.capabilities?.lldpCapabilities?.includes(cap) ?? false;
}

function lldpText(f: DeviceFacts): string {
  return `lldpLocSysCapEnabled {${(f.capabilities?.lldpCapabilities ?? []).join(", ")}}`;
}

function oui(f: DeviceFacts, re: RegExp): boolean {
  return typeof f.ouiVendor === "string" && re.test(f.ouiVendor.trim());
}

function ouiText(f: DeviceFacts): string {
  return `MAC vendor "${(f.ouiVendor ?? "").trim()}"`;
}

function served(f: DeviceFacts, ports: ReadonlySet<number>): number[] {
  return [...new Set(f.servicePorts?.filter((p) => ports.has(p)) ?? [])].sort((a, b) => a - b);
}

function servedText(f: DeviceFacts, ports: ReadonlySet<number>): string {
  return `serves port ${served(f, ports).join(", ")}`;
}

/** sysServices bit for OSI layer n (RFC 3418: value = Σ 2^(L−1)). */
function layer(n: number): number {
  return 1 << (n - 1);
}

function services(f: DeviceFacts): number {
  return f.system?.sysServices ?? 0;
}

function servicesText(f: DeviceFacts): string {
  const s = services(f);
  const layers = [1, 2, 3, 4, 5, 6, 7].filter((n) => (s & layer(n)) !== 0);
  return `sysServices ${s}: layer${layers.length === 1 ? "" : "s"} ${layers.join(", ")}`;
}

/** Raw print (JetDirect / AppSocket), IPP, LPD. */
const PRINT_PORTS: ReadonlySet<number> = new Set([9100, 631, 515]);

/** Services a server offers: ssh, smtp, dns, http, kerberos, imap, ldap, https, smb, rdp, databases, WinRM. */
const SERVER_PORTS: ReadonlySet<number> = new Set([
  22,
  25,
  53,
  80,
  88,
  143,
  389,
  443,
  445,
  636,
  993,
  1433,
  3306,
  3389,
  5432,
  5985,
  5986,
  8080,
  8443,
]);

// ---- the tables -----------------------------------------------------------------------------------

/** Capabilities that name the box's role: they beat a generic platform definition. */
export const ROLE_RULES: readonly ClassifyRule[] = [
  {
    id: "printer-mib",
    type: "printer",
    description: "the agent answers Printer-MIB's prtGeneralTable (RFC 3805): it has a print engine itself",
    match: (f) => f.capabilities?.printerMib === true,
    evidence: () => "prtGeneralTable answered",
  },
  {
    id: "ups-mib",
    type: "ups",
    description: "the agent answers UPS-MIB's upsIdentModel (RFC 1628): it is a UPS",
    match: (f) => f.capabilities?.upsMib === true,
    evidence: () => "upsIdentModel answered",
  },
  {
    id: "lldp-wlan-ap",
    type: "access_point",
    description: "LLDP lldpLocSysCapEnabled has wlanAccessPoint",
    match: (f) => lldp(f, "wlanAccessPoint"),
    evidence: lldpText,
  },
  {
    id: "lldp-telephone",
    type: "phone",
    description: "LLDP lldpLocSysCapEnabled has telephone",
    match: (f) => lldp(f, "telephone"),
    evidence: lldpText,
  },
];

/** Forwarding, bridging and sysServices: they lose to a generic platform definition. */
export const CAPABILITY_RULES: readonly ClassifyRule[] = [
  {
    id: "lldp-router",
    type: "router",
    description: "LLDP lldpLocSysCapEnabled has router",
    match: (f) => lldp(f, "router"),
    evidence: lldpText,
  },
  {
    id: "lldp-bridge",
    type: "switch",
    description: "LLDP lldpLocSysCapEnabled has bridge (and not router)",
    match: (f) => lldp(f, "bridge"),
    evidence: lldpText,
  },
  {
    id: "bridge-mib",
    type: "switch",
    description: "BRIDGE-MIB dot1dBaseNumPorts > 0 and ipForwarding is not forwarding",
    match: (f) => (f.capabilities?.bridgePorts ?? 0) > 0 && f.capabilities?.ipForwarding !== true,
    evidence: (f) => `dot1dBaseNumPorts ${f.capabilities?.bridgePorts}, ipForwarding not forwarding`,
  },
  {
    id: "ip-forwarding",
    type: "router",
    description: "IP-MIB ipForwarding.0 = forwarding(1)",
    match: (f) => f.capabilities?.ipForwarding === true,
    evidence: () => "ipForwarding forwarding(1)",
  },
  {
    id: "lldp-station",
    type: "server",
    description: "LLDP lldpLocSysCapEnabled has station only",
    match: (f) => lldp(f, "station"),
    evidence: lldpText,
  },
  // sysServices (RFC 3418): the agent's own claim of the layers it serves.
  {
    id: "sysservices-layer3",
    type: "router",
    description: "sysServices has layer 3 (internet) set",
    match: (f) => (services(f) & layer(3)) !== 0,
    evidence: servicesText,
  },
  {
    id: "sysservices-layer2",
    type: "switch",
    description: "sysServices has layer 2 (datalink) without layer 3",
    match: (f) => (services(f) & (layer(2) | layer(3))) === layer(2),
    evidence: servicesText,
  },
  {
    id: "sysservices-host",
    type: "server",
    description: "sysServices has layers 4 and/or 7 (end-to-end, applications) without 2 or 3",
    match: (f) => (services(f) & (layer(4) | layer(7))) !== 0 && (services(f) & (layer(2) | layer(3))) === 0,
    evidence: servicesText,
  },
];

/** Without SNMP: the MAC's manufacturer (IEEE registry) and the services seen in traffic. */
export const GUESS_RULES: readonly ClassifyRule[] = [
  {
    id: "oui-firewall",
    type: "firewall",
    description: "MAC OUI of Fortinet, Palo Alto Networks, SonicWall, Check Point or WatchGuard",
    match: (f) =>
      oui(f, /^(?:Fortinet|Palo Alto Networks|SonicWall|Check Point Software|WatchGuard Technologies)/i),
    evidence: ouiText,
  },
  {
    id: "oui-printer",
    type: "printer",
    description: "MAC OUI of Brother, Lexmark, Xerox, Canon, Ricoh, Seiko Epson, Kyocera or Konica Minolta",
    match: (f) =>
      oui(
        f,
        /^(?:Brother Industries|Lexmark International|Xerox Corporation|Canon Inc|Ricoh Company|Seiko Epson|KYOCERA Document Solutions|KYOCERA Mita|Konica Minolta)/i,
      ),
    evidence: ouiText,
  },
  {
    id: "oui-ups",
    type: "ups",
    description: "MAC OUI of American Power Conversion (APC network management cards)",
    match: (f) => oui(f, /^American Power Conversion/i),
    evidence: ouiText,
  },
  {
    id: "oui-phone",
    type: "phone",
    description: "MAC OUI of Polycom, Yealink, Snom or Grandstream (desk phone makers)",
    match: (f) => oui(f, /^(?:Polycom|Yealink|Xiamen Yealink|SNOM Technology|Grandstream Networks)/i),
    evidence: ouiText,
  },
  {
    id: "oui-access-point",
    type: "access_point",
    description: "MAC OUI of Ruckus Wireless",
    match: (f) => oui(f, /^Ruckus Wireless/i),
    evidence: ouiText,
  },
  {
    id: "oui-router",
    type: "router",
    description: "MAC OUI of MikroTik (Routerboard.com)",
    match: (f) => oui(f, /^Routerboard\.com|^MikroTik/i),
    evidence: ouiText,
  },
  {
    id: "ports-printer",
    type: "printer",
    description: "serves raw print (9100), IPP (631) or LPD (515)",
    match: (f) => served(f, PRINT_PORTS).length > 0,
    evidence: (f) => servedText(f, PRINT_PORTS),
  },
  {
    id: "oui-storage",
    type: "storage",
    description: "MAC OUI of Synology or QNAP (NAS makers)",
    match: (f) => oui(f, /^(?:Synology|QNAP Systems)/i),
    evidence: ouiText,
  },
  {
    id: "oui-server",
    type: "server",
    description: "MAC OUI of VMware or Supermicro (virtual machines and server boards)",
    match: (f) => oui(f, /^(?:VMware|Super Micro Computer)/i),
    evidence: ouiText,
  },
  {
    id: "ports-server",
    type: "server",
    description: "serves ssh, http(s), smb, rdp, mail, directory or database ports",
    match: (f) => served(f, SERVER_PORTS).length > 0,
    evidence: (f) => servedText(f, SERVER_PORTS),
  },
];
