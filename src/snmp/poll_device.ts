/**
 * One poll of one device: the system group first (it must answer, or the poll fails), then
 * interfaces, host resources and the ARP table together. Host resources and ARP are optional: an
 * agent that times out or errs on them still gives a successful poll, with the reason in `warnings`.
 */
import type { InterfaceJson } from "../devices/device.ts";
import type { ArpTableEntry, SnmpSession, SystemInfo } from "./snmp_types.ts";
import { getSystemInfo } from "./system_info.ts";
import type { InterfacePoller } from "./interface_poller.ts";
import { pollHostResources } from "./host_resources.ts";
import { walkArpTable } from "./arp_table.ts";

/** What a poll learned about a device. */
export interface DevicePoll {
  /** The system group. */
  system: SystemInfo;
  /** Interfaces with rates since the previous poll. */
  interfaces: InterfaceJson[];
  /** Average processor load, 0–100; null when the agent does not say (or that part failed). */
  cpuPct: number | null;
  /** RAM in use, 0–100; null when the agent does not say (or that part failed). */
  memoryPct: number | null;
  /** The device's ARP / neighbour table; empty when it has none (or that part failed). */
  arp: ArpTableEntry[];
  /** How long the poll took, ms. */
  pollMs: number;
  /** Optional parts that failed, in words ("host resources: timeout after 1000 ms × 2 tries"). */
  warnings: string[];
}

/** What a device's poller keeps between polls. */
export interface DevicePollState {
  /** The device's interface poller (holds the previous counter sample). */
  interfaces: InterfacePoller;
}

/**
 * Polls a device. Rejects with the SnmpError of the system group or the interface walk; failures of
 * host resources and the ARP table are reported in `warnings` instead.
 */
export async function pollDevice(s: SnmpSession, state: DevicePollState, nowMs: number): Promise<DevicePoll> {
  const started = performance.now();
  const system = await getSystemInfo(s);
  const [interfaces, host, arp] = await Promise.allSettled([
    state.interfaces.poll(s, system.sysUpTimeCs, nowMs),
    pollHostResources(s),
    walkArpTable(s, s.target.ip),
  ]);
  if (interfaces.status === "rejected") throw interfaces.reason;
  const warnings: string[] = [];
  if (host.status === "rejected") warnings.push(`host resources: ${reasonText(host.reason)}`);
  if (arp.status === "rejected") warnings.push(`ARP table: ${reasonText(arp.reason)}`);
  return {
    system,
    interfaces: interfaces.value,
    cpuPct: host.status === "fulfilled" ? host.value.cpuPct : null,
    memoryPct: host.status === "fulfilled" ? host.value.memoryPct : null,
    arp: arp.status === "fulfilled" ? arp.value : [],
    pollMs: performance.now() - started,
    warnings,
  };
}

function reasonText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
