/**
 * The classification rule table, in precedence order: the first rule that matches decides. Most
 * specific first — a product's own sysObjectID or sysDescr beats a generic capability, which beats
 * sysServices bits, which beat guesses from the MAC's vendor and open ports for hosts without SNMP.
 *
 * Why this order:
 * - Firewalls route and APs bridge, so vendor/product rules must come before ipForwarding / BRIDGE-MIB.
 * - A Linux or Windows server often forwards IP (containers, VPNs) and runs lldpd (which then
 *   advertises "router"), so a general-purpose OS in sysDescr decides "server" before those
 *   capabilities do; Linux-based appliances are caught earlier by their own rules.
 */

import type { DeviceType } from "./device_type.ts";
import type { DeviceFacts } from "./classify.ts";
import { Enterprise, enterpriseOf, ENTERPRISES_OID as ENT, oidUnder } from "./enterprises.ts";
import type { LldpCapability } from "../snmp/capabilities.ts";

/** One rule: a named, testable predicate over the facts. */
export interface ClassifyRule {
  /** Stable id, shown as the device's `type_rule`. */
  id: string;
  /** The type this rule assigns. */
  type: DeviceType;
  /** What the rule looks at, for people. */
  description: string;
  /** Whether the facts satisfy the rule. */
  match(facts: DeviceFacts): boolean;
}

// ---- fact accessors -------------------------------------------------------------------------------

function descr(f: DeviceFacts): string {
  return f.system?.sysDescr ?? "";
}

function objectId(f: DeviceFacts): string {
  return f.system?.sysObjectId ?? "";
}

function enterprise(f: DeviceFacts): number | null {
  return f.system ? enterpriseOf(f.system.sysObjectId) : null;
}

function underAny(f: DeviceFacts, prefixes: readonly string[]): boolean {
  const oid = objectId(f);
  return oid !== "" && prefixes.some((p) => oidUnder(oid, p));
}

function lldp(f: DeviceFacts, cap: LldpCapability): boolean {
  return f.capabilities?.lldpCapabilities?.includes(cap) ?? false;
}

function oui(f: DeviceFacts, re: RegExp): boolean {
  return typeof f.ouiVendor === "string" && re.test(f.ouiVendor.trim());
}

function servesAny(f: DeviceFacts, ports: ReadonlySet<number>): boolean {
  return f.servicePorts?.some((p) => ports.has(p)) ?? false;
}

/** sysServices bit for OSI layer n (RFC 3418: value = Σ 2^(L−1)). */
function layer(n: number): number {
  return 1 << (n - 1);
}

// ---- product identifiers --------------------------------------------------------------------------

/** JUNIPER-CHASSIS-DEFINES-MIB jnxProductName* of SRX models (sysObjectID of the chassis). */
const JUNIPER_SRX_OIDS = [
  `${ENT}.2636.1.1.1.2.26`, // jnxProductNameSRX5800
  `${ENT}.2636.1.1.1.2.34`, // jnxProductNameSRX3600
  `${ENT}.2636.1.1.1.2.35`, // jnxProductNameSRX3400
  `${ENT}.2636.1.1.1.2.36`, // jnxProductNameSRX210
  `${ENT}.2636.1.1.1.2.39`, // jnxProductNameSRX240
];

/** FORTINET-FORTISWITCH-MIB subtree: FortiSwitch products. */
const FORTISWITCH_OID = `${ENT}.12356.106`;

/** ARUBA-MIB apProducts: every Aruba access point model. */
const ARUBA_AP_PRODUCTS = `${ENT}.14823.1.2`;

/** Ubiquiti wireless: Frogfoot's 10002.1 (airOS and UniFi APs answer with it), UBNT-MIB airMAX and UniFi. */
const UBIQUITI_WIRELESS_OIDS = [`${ENT}.10002.1`, `${ENT}.41112.1.4`, `${ENT}.41112.1.6`];

/** UBNT-MIB EdgeMAX subtree (EdgeRouter). */
const UBIQUITI_EDGEMAX_OID = `${ENT}.41112.1.5`;

/** HP-SN / hpNetPeripheral: JetDirect print servers and HP printers (hp.nm.system.net-peripheral). */
const HP_NET_PRINTER_OID = `${ENT}.11.2.3.9`;

/** HP ProCurve / ArubaOS-Switch switch products (hp.nm.system.netElement.hpEtherSwitch). */
const HP_PROCURVE_OID = `${ENT}.11.2.3.7.11`;

/** NET-SNMP-TC netSnmpAgentOIDs: the sysObjectID of Net-SNMP on a general-purpose OS (linux = .10). */
const NET_SNMP_AGENT_OIDS = `${ENT}.8072.3.2`;

/** Enterprises whose every SNMP-speaking product is a firewall. */
const FIREWALL_ENTERPRISES: ReadonlySet<number> = new Set([
  Enterprise.PaloAlto,
  Enterprise.CheckPoint,
  Enterprise.SonicWall,
  Enterprise.WatchGuard,
]);

/** Enterprises that make printers and multifunction devices (and little else that answers SNMP). */
const PRINTER_ENTERPRISES: ReadonlySet<number> = new Set([
  Enterprise.Brother,
  Enterprise.Lexmark,
  Enterprise.Xerox,
  Enterprise.Canon,
  Enterprise.Ricoh,
  Enterprise.Epson,
  Enterprise.Kyocera,
  Enterprise.KonicaMinolta,
]);

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

// ---- sysDescr patterns ----------------------------------------------------------------------------

/** Cisco Aironet: "Aironet" or the wireless image families (C1240-K9W7-M, AP3G2-K9W8-M). */
const CISCO_AP_DESCR = /^Cisco IOS Software.*(?:Aironet|-K9W[78]-)/s;
/** Cisco Catalyst / Nexus switches by platform or image name. */
const CISCO_SWITCH_DESCR =
  /^Cisco (?:NX-OS|IOS Software(?: \[[^\]]*\])?, (?:C(?:1000|2940|2950|2955|2960\w*|2970|3550|3560\w*|3750\w*|4500\w*|6500) Software|Catalyst\b|[^,]*\(CAT\dK|[^,]*\((?:cat4500|s72033|s2t54|C3K)))|^Cisco Systems,? Inc\.? WS-C|^Cisco Catalyst/si;
/** Cisco routers: ISR G1/G2, ISR 4000/1000, ASR, CSR1000v, 7200, 800-series, Catalyst 8000 Edge. */
const CISCO_ROUTER_DESCR =
  /^Cisco (?:IOS Software(?: \[[^\]]*\])?, (?:ISR|ASR\d*|CSR1000V|c8000\w*|C(?:8\d\d\w*|18\d\d\w*|19\d\d|28\d\d\w*|29\d\d|38\d\d\w*|39\d\d|7200|1100\w*)|\d{4}) Software|Internetwork Operating System Software\s+IOS \(tm\) (?:C?\d{3,4}\w*|RSP)\s+Software)|^Cisco IOS XE Software.*\b(?:ISR|ASR|CSR|c8000)/si;

const JUNIPER = /^Juniper Networks, Inc\.\s+(\S+)/;

/** General-purpose operating systems as their SNMP agents print them. */
const HOST_OS_DESCR = /^(?:Linux|FreeBSD|OpenBSD|NetBSD|Darwin|SunOS)\s|Software: Windows\b/;

// ---- the table ------------------------------------------------------------------------------------

/** Every rule, in precedence order. */
export const CLASSIFY_RULES: readonly ClassifyRule[] = [
  // Firewalls first: they route, bridge and often run Linux, so any later rule would misname them.
  {
    id: "enterprise-firewall",
    type: "firewall",
    description:
      "sysObjectID under Palo Alto (25461), Check Point (2620), SonicWall (8741) or WatchGuard (3097)",
    match: (f) => FIREWALL_ENTERPRISES.has(enterprise(f) ?? -1),
  },
  {
    id: "fortinet-fortiswitch",
    type: "switch",
    description: "sysObjectID under Fortinet's FortiSwitch MIB (1.3.6.1.4.1.12356.106)",
    match: (f) => underAny(f, [FORTISWITCH_OID]),
  },
  {
    id: "fortinet-fortiap",
    type: "access_point",
    description: 'sysDescr starts with "FortiAP"',
    match: (f) => /^FortiAP/i.test(descr(f)),
  },
  {
    id: "fortinet-fortigate",
    type: "firewall",
    description: "sysObjectID under Fortinet (12356), or sysDescr names a FortiGate / FortiWiFi",
    match: (f) => enterprise(f) === Enterprise.Fortinet || /^Forti(?:Gate|WiFi)/i.test(descr(f)),
  },
  {
    id: "juniper-srx",
    type: "firewall",
    description: "sysObjectID is a Juniper SRX (jnxProductNameSRX*) or sysDescr names an srx model",
    match: (f) => underAny(f, JUNIPER_SRX_OIDS) || /^srx/i.test(JUNIPER.exec(descr(f))?.[1] ?? ""),
  },
  {
    id: "descr-firewall",
    type: "firewall",
    description: "sysDescr of a firewall OS: Palo Alto, SonicWALL, Cisco ASA / Firepower, pfSense, OPNsense",
    match: (f) =>
      /^Palo Alto Networks\b.*firewall|^SonicWALL\b|^Cisco Adaptive Security Appliance|^Cisco Firepower|pfSense|OPNsense/i
        .test(descr(f)),
  },
  // Access points.
  {
    id: "ubiquiti-wireless",
    type: "access_point",
    description: "sysObjectID of Ubiquiti wireless (10002.1 airOS/UniFi, 41112.1.4 airMAX, 41112.1.6 UniFi)",
    match: (f) => underAny(f, UBIQUITI_WIRELESS_OIDS),
  },
  {
    id: "aruba-ap",
    type: "access_point",
    description: "sysObjectID under ARUBA-MIB apProducts (1.3.6.1.4.1.14823.1.2)",
    match: (f) => underAny(f, [ARUBA_AP_PRODUCTS]),
  },
  {
    id: "cisco-aironet",
    type: "access_point",
    description: "Cisco IOS sysDescr of an Aironet (wireless K9W7/K9W8 image)",
    match: (f) => CISCO_AP_DESCR.test(descr(f)),
  },
  // Printers.
  {
    id: "hp-printer",
    type: "printer",
    description: "sysObjectID under HP's net-peripheral tree (11.2.3.9) or a JetDirect / LaserJet sysDescr",
    match: (f) =>
      underAny(f, [HP_NET_PRINTER_OID]) ||
      /JETDIRECT|^HP (?:Color )?(?:LaserJet|OfficeJet|PageWide|DesignJet)/i.test(descr(f)),
  },
  {
    id: "printer-enterprise",
    type: "printer",
    description:
      "sysObjectID under a printer maker: Brother, Lexmark, Xerox, Canon, Ricoh, Epson, Kyocera, Konica Minolta",
    match: (f) => PRINTER_ENTERPRISES.has(enterprise(f) ?? -1),
  },
  {
    id: "printer-descr",
    type: "printer",
    description:
      "sysDescr of a printer or print server (Brother NC-, Lexmark, RICOH, Canon iR/MF/LBP, Xerox, EPSON)",
    match: (f) =>
      /^(?:Brother NC-|Lexmark |RICOH |Canon (?:iR|MF|LBP)|Xerox |EPSON |KYOCERA Document Solutions)/i.test(
        descr(f),
      ),
  },
  // Switches and routers known by product.
  {
    id: "cisco-switch",
    type: "switch",
    description: "Cisco sysDescr of a Catalyst (IOS / IOS-XE) or Nexus (NX-OS) switch",
    match: (f) => CISCO_SWITCH_DESCR.test(descr(f)),
  },
  {
    id: "cisco-router",
    type: "router",
    description: "Cisco sysDescr of an ISR, ASR, CSR1000v, 7200, 800-series or Catalyst 8000 Edge router",
    match: (f) => CISCO_ROUTER_DESCR.test(descr(f)),
  },
  {
    id: "juniper-switch",
    type: "switch",
    description: "Juniper sysDescr of an EX or QFX switch",
    match: (f) => /^(?:ex|qfx)\d/i.test(JUNIPER.exec(descr(f))?.[1] ?? ""),
  },
  {
    id: "juniper-router",
    type: "router",
    description: 'Juniper sysDescr of an "internet router" (MX, PTX, ACX, …)',
    match: (f) => JUNIPER.test(descr(f)) && /internet router/i.test(descr(f)),
  },
  {
    id: "hp-procurve",
    type: "switch",
    description: "sysObjectID under HP's switch tree (11.2.3.7.11) or a ProCurve / ArubaOS-Switch sysDescr",
    match: (f) =>
      underAny(f, [HP_PROCURVE_OID]) || /\bJ[A-Z]?\d{3,4}[A-Z]?\b.*\bSwitch\b.*revision/.test(descr(f)),
  },
  {
    id: "arista-eos",
    type: "switch",
    description: "sysObjectID under Arista (30065) or an Arista EOS sysDescr",
    match: (f) => enterprise(f) === Enterprise.Arista || /^Arista Networks EOS/.test(descr(f)),
  },
  {
    id: "mikrotik-routeros",
    type: "router",
    description: 'sysObjectID under MikroTik (14988) or sysDescr "RouterOS <board>"',
    match: (f) => enterprise(f) === Enterprise.MikroTik || /^RouterOS\b/.test(descr(f)),
  },
  {
    id: "ubiquiti-edgemax",
    type: "router",
    description: "sysObjectID under UBNT-MIB EdgeMAX (41112.1.5) or an EdgeOS sysDescr",
    match: (f) => underAny(f, [UBIQUITI_EDGEMAX_OID]) || /^EdgeOS\b|^EdgeRouter/.test(descr(f)),
  },
  {
    id: "descr-router-os",
    type: "router",
    description: "sysDescr of a router distribution (OpenWrt, VyOS)",
    match: (f) => /OpenWrt|VyOS/i.test(descr(f)),
  },
  // Servers by enterprise, then capability evidence.
  {
    id: "nas-enterprise",
    type: "server",
    description: "sysObjectID under Synology (6574) or QNAP (24681)",
    match: (f) => enterprise(f) === Enterprise.Synology || enterprise(f) === Enterprise.Qnap,
  },
  {
    id: "printer-mib",
    type: "printer",
    description: "Printer-MIB answers (prtGeneralTable) or hrDeviceType is hrDevicePrinter",
    match: (f) => f.capabilities?.printerMib === true,
  },
  {
    id: "lldp-wlan-ap",
    type: "access_point",
    description: "LLDP lldpLocSysCapEnabled has wlanAccessPoint",
    match: (f) => lldp(f, "wlanAccessPoint"),
  },
  {
    id: "host-os",
    type: "server",
    description:
      "sysDescr of a general-purpose OS (Linux, BSD, Windows, macOS, Solaris) or Net-SNMP's host sysObjectID",
    match: (f) =>
      HOST_OS_DESCR.test(descr(f)) || underAny(f, [NET_SNMP_AGENT_OIDS]) ||
      enterprise(f) === Enterprise.Microsoft,
  },
  {
    id: "lldp-router",
    type: "router",
    description: "LLDP lldpLocSysCapEnabled has router",
    match: (f) => lldp(f, "router"),
  },
  {
    id: "lldp-bridge",
    type: "switch",
    description: "LLDP lldpLocSysCapEnabled has bridge (and not router)",
    match: (f) => lldp(f, "bridge"),
  },
  {
    id: "bridge-mib",
    type: "switch",
    description: "BRIDGE-MIB dot1dBaseNumPorts > 0 and ipForwarding is not forwarding",
    match: (f) => (f.capabilities?.bridgePorts ?? 0) > 0 && f.capabilities?.ipForwarding !== true,
  },
  {
    id: "ip-forwarding",
    type: "router",
    description: "IP-MIB ipForwarding.0 = forwarding(1)",
    match: (f) => f.capabilities?.ipForwarding === true,
  },
  {
    id: "lldp-station",
    type: "server",
    description: "LLDP lldpLocSysCapEnabled has station only",
    match: (f) => lldp(f, "station"),
  },
  // sysServices (RFC 3418): the agent's own claim of the layers it serves.
  {
    id: "sysservices-layer3",
    type: "router",
    description: "sysServices has layer 3 (internet) set",
    match: (f) => ((f.system?.sysServices ?? 0) & layer(3)) !== 0,
  },
  {
    id: "sysservices-layer2",
    type: "switch",
    description: "sysServices has layer 2 (datalink) without layer 3",
    match: (f) => ((f.system?.sysServices ?? 0) & (layer(2) | layer(3))) === layer(2),
  },
  {
    id: "sysservices-host",
    type: "server",
    description: "sysServices has layers 4 and/or 7 (end-to-end, applications) without 2 or 3",
    match: (f) => {
      const s = f.system?.sysServices ?? 0;
      return (s & (layer(4) | layer(7))) !== 0 && (s & (layer(2) | layer(3))) === 0;
    },
  },
  // Without SNMP: the MAC's manufacturer and the services seen in traffic.
  {
    id: "oui-firewall",
    type: "firewall",
    description: "MAC OUI of Fortinet, Palo Alto Networks, SonicWall, Check Point or WatchGuard",
    match: (f) =>
      oui(f, /^(?:Fortinet|Palo Alto Networks|SonicWall|Check Point Software|WatchGuard Technologies)/i),
  },
  {
    id: "oui-printer",
    type: "printer",
    description: "MAC OUI of Brother, Lexmark, Xerox, Canon, Ricoh, Seiko Epson or Konica Minolta",
    match: (f) =>
      oui(
        f,
        /^(?:Brother Industries|Lexmark International|Xerox Corporation|Canon Inc|Ricoh Company|Seiko Epson|Konica Minolta)/i,
      ),
  },
  {
    id: "oui-access-point",
    type: "access_point",
    description: "MAC OUI of Ruckus Wireless",
    match: (f) => oui(f, /^Ruckus Wireless/i),
  },
  {
    id: "oui-router",
    type: "router",
    description: "MAC OUI of MikroTik (Routerboard.com)",
    match: (f) => oui(f, /^Routerboard\.com|^MikroTik/i),
  },
  {
    id: "ports-printer",
    type: "printer",
    description: "serves raw print (9100), IPP (631) or LPD (515)",
    match: (f) => servesAny(f, PRINT_PORTS),
  },
  {
    id: "oui-server",
    type: "server",
    description: "MAC OUI of Synology, QNAP, VMware or Supermicro",
    match: (f) => oui(f, /^(?:Synology|QNAP Systems|VMware|Super Micro Computer)/i),
  },
  {
    id: "ports-server",
    type: "server",
    description: "serves ssh, http(s), smb, rdp, mail, directory or database ports",
    match: (f) => servesAny(f, SERVER_PORTS),
  },
];
