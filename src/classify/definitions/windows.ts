/**
 * Microsoft Windows: workstation, server and domain controller, told apart by sysObjectID.
 *
 * Where the identifiers come from: the Windows SNMP service answers sysObjectID from Microsoft's
 * LAN Manager MIB (1.3.6.1.4.1.311.1.1.3.1): windowsNTWorkstation .1, windowsNTServer .2,
 * windowsNTDomainController .3; its sysDescr is "Hardware: <cpu> - Software: Windows <…> Version
 * <n.n> (Build <n> …)". The workstation example is the real Windows XP that Debian's snmpsim ships
 * (examples/data/recorded/winxp-full-walk.snmprec), whose HOST-RESOURCES hrDeviceTable lists printer
 * drivers; the server example is a Windows Server 2019 banner.
 */
import type { ProductDefinition } from "../definition.ts";

const LANMGR = "1.3.6.1.4.1.311.1.1.3.1";
const VERSION = String.raw`Software: Windows(?: [\w.]+)* Version ([\d.]+)(?: \((Build \d+))?`;

export const WINDOWS: readonly ProductDefinition[] = [
  {
    id: "windows-workstation",
    os: "Windows",
    vendor: "Microsoft",
    type: "workstation",
    match: [{ sysObjectId: [`${LANMGR}.1`] }],
    version: [{ sysDescr: VERSION }],
    examples: [{
      sysObjectId: `${LANMGR}.1`,
      sysDescr:
        "Hardware: x86 Family 6 Model 9 Stepping 5 AT/AT COMPATIBLE - Software: Windows 2000 Version 5.1 (Build 2600 Uniprocessor Free)",
      model: null,
      version: "5.1 Build 2600",
    }],
  },
  {
    id: "windows-server",
    os: "Windows",
    vendor: "Microsoft",
    type: "server",
    match: [{ sysObjectId: [`${LANMGR}.2`] }],
    version: [{ sysDescr: VERSION }],
    examples: [{
      sysObjectId: `${LANMGR}.2`,
      sysDescr:
        "Hardware: Intel64 Family 6 Model 85 Stepping 7 AT/AT COMPATIBLE - Software: Windows Version 6.3 (Build 17763 Multiprocessor Free)",
      model: null,
      version: "6.3 Build 17763",
    }],
  },
  {
    id: "windows-domain-controller",
    os: "Windows",
    vendor: "Microsoft",
    type: "server",
    match: [{ sysObjectId: [`${LANMGR}.3`] }],
    version: [{ sysDescr: VERSION }],
    examples: [{ sysObjectId: `${LANMGR}.3`, sysDescr: "", model: null, version: null }],
  },
  {
    // A Windows agent whose sysObjectID says nothing more (Net-SNMP's win32 build, a rewritten OID).
    id: "windows",
    os: "Windows",
    vendor: "Microsoft",
    type: "server",
    match: [{ sysDescr: String.raw`Software: Windows\b` }, {
      sysObjectId: ["1.3.6.1.4.1.311", "1.3.6.1.4.1.8072.3.2.13"],
    }],
    version: [{ sysDescr: VERSION }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.8072.3.2.13",
      sysDescr:
        "Hardware: Intel64 Family 6 Model 85 Stepping 7 AT/AT COMPATIBLE - Software: Windows Version 6.3 (Build 17763 Multiprocessor Free)",
      model: null,
      version: "6.3 Build 17763",
    }],
  },
];
