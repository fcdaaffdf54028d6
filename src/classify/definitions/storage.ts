/**
 * Network storage: Synology DiskStation, QNAP TurboNAS / QTS, NetApp ONTAP, Western Digital, Asustor,
 * TrueNAS (iXsystems), Dell EqualLogic, Buffalo TeraStation, Pure Storage, Isilon, Data Domain. (ReadyNAS, D-Link DNS: in their vendors' files.)
 *
 * Where the identifiers come from: SYNOLOGY-SYSTEM-MIB under Synology's enterprise 6574 (Datadog
 * synology-disk-station matches 6574.*); QNAP's 24681 (LibreNMS qnap) and QNAP Systems' newer 55062;
 * NetApp's 789 (NETAPP-MIB) and its "NetApp Release <version>: <date>" sysDescr; the IANA numbers of
 * Western Digital (5127), ASUSTOR (44738), iXsystems (50536), EqualLogic (12740), MELCO (5227, Buffalo's
 * parent), Pure Storage (40482), Isilon (12124) and Data Domain (19746): makers whose agents are storage.
 */
import type { ProductDefinition } from "../definition.ts";

export const STORAGE: readonly ProductDefinition[] = [
  {
    id: "synology-dsm",
    os: "DSM",
    vendor: "Synology",
    type: "storage",
    match: [{ sysObjectId: ["1.3.6.1.4.1.6574"] }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.6574.1",
      sysDescr: "Linux DiskStation 4.4.59+ #25426 SMP PREEMPT x86_64",
      model: null,
      version: null,
    }],
  },
  {
    id: "qnap-qts",
    os: "QTS",
    vendor: "QNAP",
    type: "storage",
    match: [{ sysObjectId: ["1.3.6.1.4.1.24681", "1.3.6.1.4.1.55062"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.24681", sysDescr: "", model: null, version: null }],
  },
  {
    id: "netapp-ontap",
    os: "ONTAP",
    vendor: "NetApp",
    type: "storage",
    match: [{ sysObjectId: ["1.3.6.1.4.1.789"] }, { sysDescr: String.raw`^NetApp Release ` }],
    version: [{ sysDescr: String.raw`^NetApp Release ([\w.]+)` }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.789",
      sysDescr: "NetApp Release 9.5P6: Wed Jun 12 01:03:08 UTC 2019",
      model: null,
      version: "9.5P6",
    }],
  },
  {
    id: "wd-nas",
    os: "My Cloud OS",
    vendor: "Western Digital",
    type: "storage",
    match: [{ sysObjectId: ["1.3.6.1.4.1.5127"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.5127", sysDescr: "", model: null, version: null }],
  },
  {
    id: "asustor-adm",
    os: "ADM",
    vendor: "ASUSTOR",
    type: "storage",
    match: [{ sysObjectId: ["1.3.6.1.4.1.44738"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.44738", sysDescr: "", model: null, version: null }],
  },
  {
    id: "truenas",
    os: "TrueNAS",
    vendor: "iXsystems",
    type: "storage",
    match: [{ sysObjectId: ["1.3.6.1.4.1.50536"] }, { sysDescr: String.raw`\b(?:TrueNAS|FreeNAS)\b` }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.50536", sysDescr: "", model: null, version: null }],
  },
  {
    id: "dell-equallogic",
    os: "PS Series",
    vendor: "Dell EqualLogic",
    type: "storage",
    match: [{ sysObjectId: ["1.3.6.1.4.1.12740"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.12740", sysDescr: "", model: null, version: null }],
  },
  {
    id: "buffalo-terastation",
    os: "TeraStation",
    vendor: "Buffalo",
    type: "storage",
    match: [{ sysObjectId: ["1.3.6.1.4.1.5227"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.5227", sysDescr: "", model: null, version: null }],
  },
  {
    id: "pure-storage",
    os: "Purity",
    vendor: "Pure Storage",
    type: "storage",
    match: [{ sysObjectId: ["1.3.6.1.4.1.40482"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.40482", sysDescr: "", model: null, version: null }],
  },
  {
    id: "isilon-onefs",
    os: "OneFS",
    vendor: "Dell EMC Isilon",
    type: "storage",
    match: [{ sysObjectId: ["1.3.6.1.4.1.12124"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.12124", sysDescr: "", model: null, version: null }],
  },
  {
    id: "data-domain",
    os: "DD OS",
    vendor: "Dell EMC Data Domain",
    type: "storage",
    match: [{ sysObjectId: ["1.3.6.1.4.1.19746"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.19746", sysDescr: "", model: null, version: null }],
  },
];
