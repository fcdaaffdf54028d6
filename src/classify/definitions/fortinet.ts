/**
 * Fortinet: FortiGate and FortiWiFi (FortiGate with a built-in access point) firewalls, FortiSwitch,
 * FortiAP.
 *
 * Where the identifiers come from: FORTINET-FORTIGATE-MIB fgModel (1.3.6.1.4.1.12356.101.1.N; e.g.
 * fgtVM64 = 30; Datadog fortinet-fortigate), the older FortiGate product OID 12356.15 (LibreNMS
 * tests/snmpsim/fortigate.snmprec), FORTINET-FORTISWITCH-MIB (12356.106); FortiOS's
 * "<model> v<version>,build<n>,<date> (GA)" as the devices print it when sysDescr is set (it is empty
 * by default, so the sysObjectID carries the classification).
 */
import type { ProductDefinition } from "../definition.ts";

const VERSION = String.raw`\bv(\d+(?:\.\d+)+),build`;

export const FORTINET: readonly ProductDefinition[] = [
  {
    id: "fortinet-fortiswitch",
    os: "FortiSwitchOS",
    vendor: "Fortinet",
    type: "switch",
    match: [{ sysObjectId: ["1.3.6.1.4.1.12356.106"] }, { sysDescr: String.raw`^FortiSwitch` }],
    model: [{ sysDescr: String.raw`^(FortiSwitch-[\w-]+)` }],
    version: [{ sysDescr: VERSION }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.12356.106.1.1",
      sysDescr: "FortiSwitch-124E v7.4.3,build0740,240215 (GA)",
      model: "FortiSwitch-124E",
      version: "7.4.3",
    }],
  },
  {
    id: "fortinet-fortiap",
    os: "FortiAP",
    vendor: "Fortinet",
    type: "access_point",
    match: [{ sysDescr: String.raw`^FortiAP` }],
    model: [{ sysDescr: String.raw`^(FortiAP-[\w-]+)` }],
    version: [{ sysDescr: VERSION }],
    examples: [{
      sysObjectId: "",
      sysDescr: "FortiAP-221E v6.4.5,build0480,210219 (GA)",
      model: "FortiAP-221E",
      version: "6.4.5",
    }],
  },
  {
    id: "fortinet-fortiwifi",
    os: "FortiOS",
    vendor: "Fortinet",
    type: "firewall",
    match: [{ sysDescr: String.raw`^FortiWiFi` }],
    model: [{ sysDescr: String.raw`^(FortiWiFi-[\w-]+)` }],
    version: [{ sysDescr: VERSION }],
    examples: [{
      sysObjectId: "",
      sysDescr: "FortiWiFi-60E v6.0.9,build0335,200121 (GA)",
      model: "FortiWiFi-60E",
      version: "6.0.9",
    }],
  },
  {
    id: "fortinet-fortigate",
    os: "FortiOS",
    vendor: "Fortinet",
    type: "firewall",
    match: [
      { sysObjectId: ["1.3.6.1.4.1.12356.101.1", "1.3.6.1.4.1.12356.15"] },
      { sysDescr: String.raw`^Forti(?:Gate|WiFi)` },
    ],
    model: [
      { sysDescr: String.raw`^(Forti(?:Gate|WiFi)-[\w-]+)` },
      { sysObjectId: { "1.3.6.1.4.1.12356.101.1.30": "FortiGate-VM64" } },
    ],
    version: [{ sysDescr: VERSION }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.12356.101.1.30",
      sysDescr: "",
      model: "FortiGate-VM64",
      version: null,
    }, {
      sysObjectId: "1.3.6.1.4.1.12356.15",
      sysDescr: "",
      model: null,
      version: null,
    }, {
      sysObjectId: "",
      sysDescr: "FortiGate-60E v6.2.3,build1066,191219 (GA)",
      model: "FortiGate-60E",
      version: "6.2.3",
    }],
  },
];
