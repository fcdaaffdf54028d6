/**
 * General-purpose operating systems: Linux, FreeBSD, OpenBSD, NetBSD (generic platforms: appliances are
 * built on them, so any product definition beats them), Solaris, AIX, HP-UX, macOS, and the router
 * distributions OpenWrt and VyOS.
 *
 * Where the identifiers come from: NET-SNMP-TC netSnmpAgentOIDs (1.3.6.1.4.1.8072.3.2: solaris 3,
 * netbsd 7, freebsd 8, linux 10, openbsd 12, hpux11 14, aix 15, macosx 16, dragonfly 17) and UCD-SNMP's
 * ucdSnmpAgent (1.3.6.1.4.1.2021.250), which Net-SNMP and its predecessor answer as
 * sysObjectID; bsnmpd's begemotSnmpdAgentFreeBSD (12325.1.1.2.1.1); Sun's enterprise 42 (the real
 * Sun-Blade-100 that Debian's snmpsim ships: examples/data/recorded/solaris-system.snmprec, "Sun SNMP
 * Agent, Sun-Blade-100", 1.3.6.1.4.1.42.2.1.1, no sysServices); IBM's 2.3.1.2.1.1 RISC System/6000
 * (AIX's own agent) and its "Base Operating System Runtime AIX version: …" sysDescr. Net-SNMP prints
 * `uname -a` as sysDescr: the real Linux recordings Debian's snmpsim ships show it.
 */
import type { ProductDefinition } from "../definition.ts";

const NET_SNMP = "1.3.6.1.4.1.8072.3.2";

export const UNIX: readonly ProductDefinition[] = [
  {
    id: "solaris",
    os: "Solaris",
    vendor: "Oracle (Sun)",
    type: "server",
    match: [
      { sysObjectId: ["1.3.6.1.4.1.42", `${NET_SNMP}.3`] },
      { sysDescr: String.raw`^SunOS \S+ 5\.\d|^Sun SNMP Agent\b` },
    ],
    model: [{ sysDescr: String.raw`^Sun SNMP Agent, (\S+)` }, {
      sysDescr: String.raw`^SunOS \S+ \S+ \S+ (sun4\w+)`,
    }],
    version: [{ sysDescr: String.raw`^SunOS \S+ (5\.\d+)` }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.42.2.1.1",
      sysDescr: "Sun SNMP Agent, Sun-Blade-100",
      model: "Sun-Blade-100",
      version: null,
    }, {
      sysObjectId: `${NET_SNMP}.3`,
      sysDescr: "SunOS sol11 5.11 11.4.0.15.0 i86pc",
      model: null,
      version: "5.11",
    }],
  },
  {
    id: "aix",
    os: "AIX",
    vendor: "IBM",
    type: "server",
    match: [
      { sysObjectId: ["1.3.6.1.4.1.2.3.1.2.1.1", `${NET_SNMP}.15`] },
      { sysDescr: String.raw`\bAIX version: ` },
    ],
    version: [{ sysDescr: String.raw`\bAIX version: ([\d.]+)` }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.2.3.1.2.1.1.3",
      sysDescr:
        "IBM PowerPC CHRP Computer Machine Type: 0x0800004c Processor id: 00F9C4E54C00 Base Operating System Runtime AIX version: 07.02.0005.0000 TCP/IP Client Support  version: 07.02.0005.0000",
      model: null,
      version: "07.02.0005.0000",
    }],
  },
  {
    id: "hp-ux",
    os: "HP-UX",
    vendor: "HPE",
    type: "server",
    match: [{ sysObjectId: [`${NET_SNMP}.14`] }, { sysDescr: String.raw`^HP-UX \S+ B\.\d` }],
    version: [{ sysDescr: String.raw`^HP-UX \S+ (B\.\d+\.\d+)` }],
    examples: [{
      sysObjectId: `${NET_SNMP}.14`,
      sysDescr: "HP-UX hpux01 B.11.31 U ia64 3012345678",
      model: null,
      version: "B.11.31",
    }],
  },
  {
    id: "macos",
    os: "macOS",
    vendor: "Apple",
    type: "workstation",
    match: [{ sysObjectId: [`${NET_SNMP}.16`] }, { sysDescr: String.raw`^Darwin \S+ \d` }],
    version: [{ sysDescr: String.raw`^Darwin \S+ ([\d.]+)` }],
    examples: [{
      sysObjectId: `${NET_SNMP}.16`,
      sysDescr:
        "Darwin studio.local 23.4.0 Darwin Kernel Version 23.4.0: Fri Mar 15 00:10:42 PDT 2024; root:xnu-10063.101.17~1/RELEASE_ARM64_T6000 arm64",
      model: null,
      version: "23.4.0",
    }],
  },
  {
    // Router distributions on Linux: OpenWrt keeps its name as the default host name in `uname -a`, VyOS
    // prints its own banner.
    id: "openwrt",
    os: "OpenWrt",
    vendor: null,
    type: "router",
    match: [{ sysDescr: String.raw`\bOpenWrt\b` }],
    version: [{ sysDescr: String.raw`^Linux\s+\S+\s+(\d+\.\d+[\w.+~-]*)` }],
    examples: [{
      sysObjectId: `${NET_SNMP}.10`,
      sysDescr: "Linux OpenWrt 5.15.137 #0 SMP Tue Nov 14 13:38:11 2023 mips",
      model: null,
      version: "5.15.137",
    }],
  },
  {
    id: "vyos",
    os: "VyOS",
    vendor: null,
    type: "router",
    match: [{ sysDescr: String.raw`^VyOS\b` }],
    version: [{ sysDescr: String.raw`^VyOS (\S+)` }],
    examples: [{ sysObjectId: `${NET_SNMP}.10`, sysDescr: "VyOS 1.3.4", model: null, version: "1.3.4" }],
  },
  {
    id: "linux",
    os: "Linux",
    vendor: null,
    type: "server",
    generic: true,
    match: [{ sysObjectId: [`${NET_SNMP}.10`] }, { sysDescr: String.raw`^Linux\s` }],
    version: [{ sysDescr: String.raw`^Linux\s+(?:\S+\s+)??(\d+\.\d+[\w.+~-]*)` }],
    examples: [{
      sysObjectId: `${NET_SNMP}.10`,
      sysDescr: "Linux cray 2.6.21.5-smp #2 SMP Tue Jun 19 14:58:11 CDT 2007 i686",
      model: null,
      version: "2.6.21.5-smp",
    }, {
      sysObjectId: `${NET_SNMP}.10`,
      sysDescr: "Linux host 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01) x86_64",
      model: null,
      version: "6.1.0-18-amd64",
    }],
  },
  {
    id: "freebsd",
    os: "FreeBSD",
    vendor: null,
    type: "server",
    generic: true,
    match: [
      { sysObjectId: [`${NET_SNMP}.8`, "1.3.6.1.4.1.12325.1.1.2.1.1"] },
      { sysDescr: String.raw`^FreeBSD\s|Software: FreeBSD\s` },
    ],
    version: [{ sysDescr: String.raw`^FreeBSD \S+ (\d[\w.-]*)` }, {
      sysDescr: String.raw`Software: FreeBSD (\d[\w.-]*)`,
    }],
    examples: [{
      sysObjectId: `${NET_SNMP}.8`,
      sysDescr:
        "Hardware: amd64 Intel(R) Core(TM) i5-4440 CPU @ 3.10GHz running at 3099 Software: FreeBSD 10.3-STABLE (revision 199506)",
      model: null,
      version: "10.3-STABLE",
    }, {
      sysObjectId: "",
      sysDescr: "FreeBSD fw.example.net 13.2-RELEASE-p4 FreeBSD 13.2-RELEASE-p4 amd64",
      model: null,
      version: "13.2-RELEASE-p4",
    }],
  },
  {
    id: "openbsd",
    os: "OpenBSD",
    vendor: null,
    type: "server",
    generic: true,
    match: [{ sysObjectId: [`${NET_SNMP}.12`] }, { sysDescr: String.raw`^OpenBSD\s` }],
    version: [{ sysDescr: String.raw`^OpenBSD \S+ (\d[\w.-]*)` }],
    examples: [{
      sysObjectId: `${NET_SNMP}.12`,
      sysDescr: "OpenBSD gw.example.net 7.4 GENERIC.MP#1397 amd64",
      model: null,
      version: "7.4",
    }],
  },
  {
    id: "netbsd",
    os: "NetBSD",
    vendor: null,
    type: "server",
    generic: true,
    match: [{ sysObjectId: [`${NET_SNMP}.7`] }, { sysDescr: String.raw`^NetBSD\s` }],
    version: [{ sysDescr: String.raw`^NetBSD \S+ (\d[\w.-]*)` }],
    examples: [{
      sysObjectId: `${NET_SNMP}.7`,
      sysDescr: "NetBSD nb.example.net 10.0 NetBSD 10.0 (GENERIC) amd64",
      model: null,
      version: "10.0",
    }],
  },
  {
    // Net-SNMP on an OS with no definition of its own (DragonFly, IRIX, Tru64, …): some Unix host.
    id: "net-snmp-unix",
    os: "Unix",
    vendor: null,
    type: "server",
    generic: true,
    match: [{ sysObjectId: [NET_SNMP, "1.3.6.1.4.1.2021.250"] }],
    examples: [{ sysObjectId: `${NET_SNMP}.17`, sysDescr: "", model: null, version: null }, {
      sysObjectId: "1.3.6.1.4.1.2021.250.10",
      sysDescr: "",
      model: null,
      version: null,
    }],
  },
];
