import assert from "node:assert/strict";
import { parseSysDescr, type SysDescrInfo } from "./sys_descr.ts";

/**
 * [what, sysDescr as the product prints it, expected]. Where a string came from: the vendor's own
 * `show version` / documentation wording for the format, or a public capture of a real device
 * (LibreNMS keeps anonymised snmprec captures and OS-detection tests in librenms/librenms tests/).
 */
const CASES: [string, string, SysDescrInfo][] = [
  [
    // Catalyst 2960-X, IOS 15.2(4)E10 (Cisco's sysDescr is the first lines of `show version`).
    "Cisco IOS on a Catalyst 2960-X",
    "Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(4)E10, RELEASE SOFTWARE (fc2)\r\n" +
    "Technical Support: http://www.cisco.com/techsupport\r\nCopyright (c) 1986-2020 by Cisco Systems, Inc.",
    { vendor: "Cisco", model: "C2960X", os: "IOS", osVersion: "15.2(4)E10" },
  ],
  [
    // ISR 4331, IOS-XE 16.9 "Fuji" train.
    "Cisco IOS-XE on an ISR 4000",
    "Cisco IOS Software [Fuji], ISR Software (X86_64_LINUX_IOSD-UNIVERSALK9-M), Version 16.9.4, RELEASE SOFTWARE (fc2)",
    { vendor: "Cisco", model: "ISR", os: "IOS-XE", osVersion: "16.9.4" },
  ],
  [
    "Cisco IOS-XE on a Catalyst 9300",
    "Cisco IOS Software [Gibraltar], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 16.12.4, RELEASE SOFTWARE (fc5)",
    { vendor: "Cisco", model: "Catalyst L3 Switch", os: "IOS-XE", osVersion: "16.12.4" },
  ],
  [
    // IOS 12.3 on a 2600: the older two-line banner.
    "old Cisco IOS 12.x banner",
    "Cisco Internetwork Operating System Software \r\nIOS (tm) C2600 Software (C2600-IK9O3S3-M), Version 12.3(6), RELEASE SOFTWARE (fc3)",
    { vendor: "Cisco", model: "C2600", os: "IOS", osVersion: "12.3(6)" },
  ],
  [
    "Cisco NX-OS on a Nexus 9000",
    "Cisco NX-OS(tm) n9000, Software (n9000-dk9), Version 7.0(3)I7(6), RELEASE SOFTWARE Copyright (c) 2002-2019 by Cisco Systems, Inc.",
    { vendor: "Cisco", model: "n9000", os: "NX-OS", osVersion: "7.0(3)I7(6)" },
  ],
  [
    "Cisco ASA",
    "Cisco Adaptive Security Appliance Version 9.8(2)",
    { vendor: "Cisco", model: "ASA", os: "ASA", osVersion: "9.8(2)" },
  ],
  [
    // A real SRX220 answering snmpget (published in a public write-up of SNMPv3 on SRX).
    "Juniper SRX",
    "Juniper Networks, Inc. srx220h internet router, kernel JUNOS 12.1X45-D15.5 #0: 2013-09-19 07:42:15 UTC     " +
    "builder@svl-junos-pool92.juniper.net:/volume/build/junos/12.1/service/12.1X45-D15.5/obj-octeon/junos/bsd/kernels/JSRXNLE/kernel Build date: 2013-09-19 06:42:15 UTC Copyright (c) 1996-2013 Juniper Networks, Inc.",
    { vendor: "Juniper Networks", model: "srx220h", os: "JUNOS", osVersion: "12.1X45-D15.5" },
  ],
  [
    "Juniper EX switch",
    "Juniper Networks, Inc. ex2200-24t-4g Ethernet Switch, kernel JUNOS 12.3R6.6, Build date: 2014-03-13 08:38:30 UTC Copyright (c) 1996-2014 Juniper Networks, Inc.",
    { vendor: "Juniper Networks", model: "ex2200-24t-4g", os: "JUNOS", osVersion: "12.3R6.6" },
  ],
  [
    "FortiGate",
    "FortiGate-60E v6.2.3,build1066,191219 (GA)",
    { vendor: "Fortinet", model: "FortiGate-60E", os: "FortiOS", osVersion: "6.2.3" },
  ],
  [
    // LibreNMS tests/snmpsim/panos.snmprec.
    "Palo Alto PAN-OS",
    "Palo Alto Networks PA-3000 series firewall",
    { vendor: "Palo Alto Networks", model: "PA-3000", os: "PAN-OS", osVersion: null },
  ],
  [
    "SonicWall SonicOS",
    "SonicWALL NSA 2600 (SonicOS Enhanced 6.2.5.1-26n)",
    { vendor: "SonicWall", model: "NSA 2600", os: "SonicOS", osVersion: "6.2.5.1-26n" },
  ],
  [
    // RouterOS puts "RouterOS <board name>" in sysDescr; the version lives in MIKROTIK-MIB.
    "MikroTik RouterOS",
    "RouterOS RB4011iGS+",
    { vendor: "MikroTik", model: "RB4011iGS+", os: "RouterOS", osVersion: null },
  ],
  [
    "HP ProCurve / ArubaOS-Switch",
    "HP J9773A 2530-24G-PoEP Switch, revision YA.16.10.0009, ROM YA.15.20 (/ws/swbuildm/rel_yakima_qaoff/code/build/lakes(swbuildm_rel_yakima_qaoff_rel_yakima))",
    { vendor: "HP", model: "J9773A 2530-24G-PoEP", os: "ArubaOS-Switch", osVersion: "YA.16.10.0009" },
  ],
  [
    "ProCurve with the model after 'Switch'",
    "ProCurve J9019B Switch 2510B-24, revision Q.11.17, ROM Q.10.02 (/sw/code/build/harp(bh2))",
    { vendor: "HP", model: "J9019B 2510B-24", os: "ArubaOS-Switch", osVersion: "Q.11.17" },
  ],
  [
    "Arista EOS",
    "Arista Networks EOS version 4.28.3M running on an Arista Networks DCS-7050SX3-48YC8",
    { vendor: "Arista Networks", model: "DCS-7050SX3-48YC8", os: "EOS", osVersion: "4.28.3M" },
  ],
  [
    "Aruba Instant AP",
    "ArubaOS (MODEL: 315), Version 8.6.0.4-8.6.0.4",
    { vendor: "Aruba", model: "315", os: "ArubaOS", osVersion: "8.6.0.4-8.6.0.4" },
  ],
  [
    "Ubiquiti EdgeOS",
    "EdgeOS v1.10.11.5274269.200221.1028",
    { vendor: "Ubiquiti", model: null, os: "EdgeOS", osVersion: "1.10.11.5274269.200221.1028" },
  ],
  [
    // Net-SNMP prints uname -a (Debian 12 kernel).
    "Linux with a host name",
    "Linux host 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01) x86_64",
    { vendor: null, model: null, os: "Linux", osVersion: "6.1.0-18-amd64" },
  ],
  [
    // LibreNMS tests/snmpsim/unifi.snmprec: a UniFi AP leaves the host name out.
    "Linux without a host name (UniFi AP)",
    "Linux 3.3.8 #1 Wed Jan 18 09:26:53 PST 2017 mips",
    { vendor: null, model: null, os: "Linux", osVersion: "3.3.8" },
  ],
  [
    // Windows Server 2019 (NT 6.3 build 17763) as the Windows SNMP service prints it.
    "Windows",
    "Hardware: Intel64 Family 6 Model 85 Stepping 7 AT/AT COMPATIBLE - Software: Windows Version 6.3 (Build 17763 Multiprocessor Free)",
    { vendor: "Microsoft", model: null, os: "Windows", osVersion: "6.3 (Build 17763)" },
  ],
  [
    // LibreNMS tests (OS detection of "brother").
    "Brother print server",
    "Brother NC-8300h, Firmware Ver.1.14  (14.11.06),MID 8C5-F01,FID 2",
    { vendor: "Brother", model: "NC-8300h", os: null, osVersion: "1.14" },
  ],
  [
    "HP JetDirect",
    "HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD153,EEPROM JSI23900012,CIDATE 03/07/2019",
    { vendor: "HP", model: null, os: "JetDirect", osVersion: "JSI23900012" },
  ],
  [
    "Lexmark",
    "Lexmark MS812 version LW60.TU.P242 kernel 3.0.0 All-N-1",
    { vendor: "Lexmark", model: "MS812", os: null, osVersion: "LW60.TU.P242" },
  ],
  [
    "Ricoh MFP",
    "RICOH MP C3004 1.10 / RICOH Network Printer C model / RICOH Network Scanner C model / RICOH Network Facsimile C model",
    { vendor: "Ricoh", model: "MP C3004", os: null, osVersion: "1.10" },
  ],
  [
    "Canon imageRUNNER",
    "Canon iR-ADV C5535 /P",
    { vendor: "Canon", model: "iR-ADV C5535", os: null, osVersion: null },
  ],
  [
    "FreeBSD (pfSense)",
    "FreeBSD pfsense.example.net 14.0-CURRENT FreeBSD 14.0-CURRENT amd64",
    { vendor: null, model: null, os: "FreeBSD", osVersion: "14.0-CURRENT" },
  ],
];

for (const [what, text, want] of CASES) {
  Deno.test(`parseSysDescr() reads vendor, model and version of ${what}`, () => {
    assert.deepEqual(parseSysDescr(text), want);
  });
}

Deno.test("parseSysDescr() returns nulls for a sysDescr in no known format", () => {
  assert.deepEqual(parseSysDescr("Ethernet print server"), {
    vendor: null,
    model: null,
    os: null,
    osVersion: null,
  });
  assert.deepEqual(parseSysDescr(""), { vendor: null, model: null, os: null, osVersion: null });
});

Deno.test("parseSysDescr() does not take 'Version' out of a non-Cisco string", () => {
  assert.equal(parseSysDescr("Acme Widget Version 1.0").osVersion, null);
});

Deno.test("parseSysDescr() stays fast on a hostile 64 KB sysDescr", () => {
  // No timing assertion: a catastrophic-backtracking regex would simply not return.
  const r = parseSysDescr("Cisco IOS Software, " + "C".repeat(65_536));
  assert.equal(r.vendor, "Cisco");
});
