/**
 * Hypervisors: VMware ESXi, Proxmox VE, Nutanix AHV.
 *
 * Where the identifiers come from: VMWARE-PRODUCTS-MIB vmwESX (1.3.6.1.4.1.6876.4.1; Datadog
 * vmware-esx) and ESXi's "VMware ESXi <version> build-<n> VMware, Inc. <arch>" sysDescr; Proxmox VE
 * runs Net-SNMP on Debian with its own kernel, whose release Proxmox suffixes "-pve", so `uname -a`
 * in sysDescr names it; Nutanix's IANA enterprise number 41263 (NUTANIX-MIB).
 */
import type { ProductDefinition } from "../definition.ts";

export const HYPERVISORS: readonly ProductDefinition[] = [
  {
    id: "vmware-esxi",
    os: "ESXi",
    vendor: "VMware",
    type: "hypervisor",
    match: [{ sysObjectId: ["1.3.6.1.4.1.6876.4.1"] }, { sysDescr: String.raw`^VMware ESXi? \d` }],
    version: [{ sysDescr: String.raw`^VMware ESXi? ([\d.]+(?: build-\d+)?)` }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.6876.4.1",
      sysDescr: "VMware ESXi 6.7.0 build-8169922 VMware, Inc. x86_64",
      model: null,
      version: "6.7.0 build-8169922",
    }],
  },
  {
    id: "proxmox-ve",
    os: "Proxmox VE",
    vendor: "Proxmox",
    type: "hypervisor",
    match: [{ sysDescr: String.raw`^Linux \S+ \d+\.\d+[\w.-]*-pve\b` }],
    examples: [{
      sysObjectId: "1.3.6.1.4.1.8072.3.2.10",
      sysDescr: "Linux pve1 6.8.12-4-pve #1 SMP PREEMPT_DYNAMIC PMX 6.8.12-4 (2024-11-06T15:04Z) x86_64",
      model: null,
      version: null,
    }],
  },
  {
    id: "nutanix-ahv",
    os: "AHV",
    vendor: "Nutanix",
    type: "hypervisor",
    match: [{ sysObjectId: ["1.3.6.1.4.1.41263"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.41263", sysDescr: "", model: null, version: null }],
  },
];
