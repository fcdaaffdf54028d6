import assert from "node:assert/strict";
import { CLASSIFY_RULES } from "./classify_rules.ts";
import type { DeviceFacts } from "./classify.ts";
import type { SystemInfo } from "../snmp/snmp_types.ts";

/** A system group with the given sysDescr / sysObjectID / sysServices. */
function sys(sysDescr: string, sysObjectId = "", sysServices?: number): DeviceFacts {
  const system: SystemInfo = { sysDescr, sysObjectId, sysName: "dev", sysServices, sysUpTimeCs: 100 };
  return { system };
}

const LINUX = "Linux host 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01) x86_64";
const NET_SNMP_LINUX = "1.3.6.1.4.1.8072.3.2.10";

/** For every rule: facts it must match, and close-by facts it must not. */
const CASES: Record<string, { yes: DeviceFacts; no: DeviceFacts }> = {
  "enterprise-firewall": {
    yes: sys("Palo Alto Networks PA-3000 series firewall", "1.3.6.1.4.1.25461.2.3.18"),
    no: sys("Juniper Networks, Inc. mx480 internet router", "1.3.6.1.4.1.2636.1.1.1.2.25"),
  },
  "fortinet-fortiswitch": {
    yes: sys("FortiSwitch-124E v7.4.3,build0740,240215 (GA)", "1.3.6.1.4.1.12356.106.1.1"),
    no: sys("FortiGate-60E v6.2.3,build1066,191219 (GA)", "1.3.6.1.4.1.12356.101.1.60"),
  },
  "fortinet-fortiap": {
    yes: sys("FortiAP-221E v6.4.5,build0480,210219 (GA)", ""),
    no: sys("FortiGate-60E v6.2.3,build1066,191219 (GA)", ""),
  },
  "fortinet-fortigate": {
    // LibreNMS tests/snmpsim/fortigate.snmprec answers with the older 12356.15 product OID.
    yes: sys("", "1.3.6.1.4.1.12356.15"),
    no: sys("", "1.3.6.1.4.1.123560.1"),
  },
  "juniper-srx": {
    yes: sys("", "1.3.6.1.4.1.2636.1.1.1.2.39"), // jnxProductNameSRX240
    no: sys(
      "Juniper Networks, Inc. ex2200-24t-4g Ethernet Switch, kernel JUNOS 12.3R6.6",
      "1.3.6.1.4.1.2636.1.1.1.2.43",
    ),
  },
  "descr-firewall": {
    yes: sys("Cisco Adaptive Security Appliance Version 9.8(2)", "1.3.6.1.4.1.9.1.2114"),
    no: sys(
      "Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(4)E10",
      "1.3.6.1.4.1.9.1.1208",
    ),
  },
  "ubiquiti-wireless": {
    yes: sys("Linux 3.3.8 #1 Wed Jan 18 09:26:53 PST 2017 mips", "1.3.6.1.4.1.10002.1"),
    no: sys("EdgeOS v1.10.11.5274269.200221.1028", "1.3.6.1.4.1.41112.1.5"),
  },
  "aruba-ap": {
    yes: sys("ArubaOS (MODEL: 315), Version 8.6.0.4-8.6.0.4", "1.3.6.1.4.1.14823.1.2.64"),
    no: sys("ArubaOS (MODEL: Aruba7010-US), Version 8.6.0.4", "1.3.6.1.4.1.14823.1.1.36"),
  },
  "cisco-aironet": {
    yes: sys(
      "Cisco IOS Software, C1240 Software (C1240-K9W7-M), Version 12.4(25d)JA2, RELEASE SOFTWARE (fc1)",
    ),
    no: sys(
      "Cisco IOS Software, C2960 Software (C2960-LANBASEK9-M), Version 12.2(55)SE5, RELEASE SOFTWARE (fc1)",
    ),
  },
  "hp-printer": {
    yes: sys(
      "HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD153,EEPROM JSI23900012",
      "1.3.6.1.4.1.11.2.3.9.1",
    ),
    no: sys("HP J9773A 2530-24G-PoEP Switch, revision YA.16.10.0009", "1.3.6.1.4.1.11.2.3.7.11.137"),
  },
  "printer-enterprise": {
    yes: sys("Brother NC-8300h, Firmware Ver.1.14  (14.11.06),MID 8C5-F01,FID 2", "1.3.6.1.4.1.2435.2.3.9.1"),
    no: sys("", "1.3.6.1.4.1.24350.1"),
  },
  "printer-descr": {
    yes: sys("Lexmark MS812 version LW60.TU.P242 kernel 3.0.0 All-N-1", NET_SNMP_LINUX),
    no: sys(LINUX, NET_SNMP_LINUX),
  },
  "cisco-switch": {
    yes: sys("Cisco IOS Software [Gibraltar], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 16.12.4"),
    no: sys("Cisco IOS Software [Fuji], ISR Software (X86_64_LINUX_IOSD-UNIVERSALK9-M), Version 16.9.4"),
  },
  "cisco-router": {
    yes: sys(
      "Cisco IOS Software, C2900 Software (C2900-UNIVERSALK9-M), Version 15.2(4)M6, RELEASE SOFTWARE (fc2)",
    ),
    no: sys("Cisco NX-OS(tm) n9000, Software (n9000-dk9), Version 7.0(3)I7(6), RELEASE SOFTWARE"),
  },
  "juniper-switch": {
    yes: sys("Juniper Networks, Inc. ex2200-24t-4g Ethernet Switch, kernel JUNOS 12.3R6.6"),
    no: sys("Juniper Networks, Inc. mx480 internet router, kernel JUNOS 11.4R7.5"),
  },
  "juniper-router": {
    yes: sys("Juniper Networks, Inc. mx480 internet router, kernel JUNOS 11.4R7.5"),
    no: sys("Juniper Networks, Inc. ex2200-24t-4g Ethernet Switch, kernel JUNOS 12.3R6.6"),
  },
  "hp-procurve": {
    yes: sys("ProCurve J9019B Switch 2510B-24, revision Q.11.17, ROM Q.10.02 (/sw/code/build/harp(bh2))"),
    no: sys("HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD153", "1.3.6.1.4.1.11.2.3.9.1"),
  },
  "arista-eos": {
    yes: sys("Arista Networks EOS version 4.28.3M running on an Arista Networks DCS-7050SX3-48YC8"),
    no: sys("", "1.3.6.1.4.1.3006.1"),
  },
  "mikrotik-routeros": {
    yes: sys("RouterOS RB4011iGS+", "1.3.6.1.4.1.14988.1"),
    no: sys("SwOS CSS326-24G-2S+", ""),
  },
  "ubiquiti-edgemax": {
    yes: sys("EdgeOS v1.10.11.5274269.200221.1028", "1.3.6.1.4.1.41112.1.5"),
    no: sys("Linux 3.3.8 #1 Wed Jan 18 09:26:53 PST 2017 mips", "1.3.6.1.4.1.41112.1.6"),
  },
  "descr-router-os": {
    yes: sys("Linux OpenWrt 5.15.137 #0 SMP Thu Nov 9 14:46:51 2023 mips", NET_SNMP_LINUX),
    no: sys(LINUX, NET_SNMP_LINUX),
  },
  "nas-enterprise": {
    yes: sys("Linux DiskStation 4.4.59+ #25426 SMP PREEMPT x86_64", "1.3.6.1.4.1.6574.1"),
    no: sys(LINUX, NET_SNMP_LINUX),
  },
  "printer-mib": {
    yes: { capabilities: { printerMib: true } },
    no: { capabilities: { printerMib: false } },
  },
  "lldp-wlan-ap": {
    yes: { capabilities: { lldpCapabilities: ["bridge", "wlanAccessPoint"] } },
    no: { capabilities: { lldpCapabilities: ["bridge"] } },
  },
  "host-os": {
    yes: sys(
      "Hardware: Intel64 Family 6 Model 85 Stepping 7 AT/AT COMPATIBLE - Software: Windows Version 6.3 (Build 17763 Multiprocessor Free)",
      "1.3.6.1.4.1.311.1.1.3.1.2",
    ),
    no: sys("RouterOS RB4011iGS+", "1.3.6.1.4.1.14988.1"),
  },
  "lldp-router": {
    yes: { capabilities: { lldpCapabilities: ["bridge", "router"] } },
    no: { capabilities: { lldpCapabilities: ["bridge", "station"] } },
  },
  "lldp-bridge": {
    yes: { capabilities: { lldpCapabilities: ["bridge"] } },
    no: { capabilities: { lldpCapabilities: ["station"] } },
  },
  "bridge-mib": {
    yes: { capabilities: { bridgePorts: 26, ipForwarding: false } },
    no: { capabilities: { bridgePorts: 0, ipForwarding: false } },
  },
  "ip-forwarding": {
    yes: { capabilities: { ipForwarding: true } },
    no: { capabilities: { ipForwarding: false } },
  },
  "lldp-station": {
    yes: { capabilities: { lldpCapabilities: ["station"] } },
    no: { capabilities: { lldpCapabilities: [] } },
  },
  "sysservices-layer3": {
    yes: sys("", "", 78), // 2+4+8+64: Cisco routers' default
    no: sys("", "", 72), // 8+64: Net-SNMP's default for a host
  },
  "sysservices-layer2": {
    yes: sys("", "", 2),
    no: sys("", "", 6),
  },
  "sysservices-host": {
    yes: sys("", "", 72),
    no: sys("", "", 74),
  },
  "oui-firewall": {
    yes: { ouiVendor: "Fortinet, Inc." },
    no: { ouiVendor: "Intel Corporate" },
  },
  "oui-printer": {
    yes: { ouiVendor: "Brother Industries, LTD." },
    no: { ouiVendor: "Brother, Brother & Sons ApS" },
  },
  "oui-access-point": {
    yes: { ouiVendor: "Ruckus Wireless" },
    no: { ouiVendor: "Ubiquiti Networks Inc." },
  },
  "oui-router": {
    yes: { ouiVendor: "Routerboard.com" },
    no: { ouiVendor: null },
  },
  "ports-printer": {
    yes: { servicePorts: [80, 443, 9100] },
    no: { servicePorts: [80, 443] },
  },
  "oui-server": {
    yes: { ouiVendor: "Synology Incorporated" },
    no: { ouiVendor: "Apple, Inc." },
  },
  "ports-server": {
    yes: { servicePorts: [3389] },
    no: { servicePorts: [5353, 1900] },
  },
};

Deno.test("every classification rule has a unique id and a test case", () => {
  const ids = CLASSIFY_RULES.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length, "duplicate rule id");
  assert.deepEqual([...ids].sort(), Object.keys(CASES).sort());
});

for (const rule of CLASSIFY_RULES) {
  const c = CASES[rule.id];
  if (!c) continue;
  Deno.test(`rule ${rule.id} (${rule.type}) matches its example and not its counter-example`, () => {
    assert.equal(rule.match(c.yes), true, "should match");
    assert.equal(rule.match(c.no), false, "should not match");
  });
}

Deno.test("no rule matches a device about which nothing is known", () => {
  const none: DeviceFacts[] = [{}, {
    system: undefined,
    capabilities: {},
    ouiVendor: null,
    servicePorts: [],
  }];
  for (const f of none) {
    assert.deepEqual(CLASSIFY_RULES.filter((r) => r.match(f)).map((r) => r.id), []);
  }
});

Deno.test("every rule id is kebab-case and every rule says what it looks at", () => {
  for (const r of CLASSIFY_RULES) {
    assert.match(r.id, /^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    assert.ok(r.description.length > 10, r.id);
  }
});
