/**
 * One poll of one device, one request at a time: the system group first (it must answer, or the poll
 * fails), then interfaces, host resources, the ARP table and the default route (one request). A device never has more than one request
 * in flight, so the number of devices polled at once bounds the load on the network and the agents.
 * Host resources, ARP and the route are optional: an agent that times out or errs on them still gives a
 * successful poll, with the reason in `warnings`. Tables the agent lacked are remembered in the
 * state and asked for again only every {@link DEFAULT_RECHECK_EVERY}th poll.
 */
import type { InterfaceJson } from "../events/mod.ts";
import {
  type ArpTableEntry,
  DEFAULT_RECHECK_EVERY,
  getSystemInfo,
  type SnmpSession,
  type SystemInfo,
  TablePresence,
} from "../snmp/mod.ts";
import { InterfacePoller } from "./interface_poller.ts";
import { type HostResources, pollHostResources } from "./host_resources.ts";
import { DEFAULT_MAX_ARP_ROWS, walkArpTable } from "./arp_table.ts";
import { readDefaultRoute } from "./default_route.ts";

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
  /**
   * The next hop of its default IPv4 route; null when it has none; undefined when it was not read this
   * poll (that part failed, or the agent has no route table and this is not a recheck poll).
   */
  defaultGateway: string | null | undefined;
  /** How long the poll took, ms. */
  pollMs: number;
  /** Optional parts that failed, in words ("host resources: timeout after 1000 ms × 2 tries"). */
  warnings: string[];
}

/** What a device's poller keeps between polls. */
export interface DevicePollState {
  /** The device's interface poller (holds the previous counter sample). */
  interfaces: InterfacePoller;
  /** The tables the agent lacked; without it every table is asked for on every poll. */
  tables?: TablePresence;
}

/** A fresh state for a device not polled before. */
export function createDevicePollState(): DevicePollState {
  return { interfaces: new InterfacePoller(), tables: new TablePresence(DEFAULT_RECHECK_EVERY) };
}

/**
 * Polls a device. Rejects with the SnmpError of the system group or the interface walk; failures of
 * host resources and the ARP table are reported in `warnings` instead.
 */
export async function pollDevice(s: SnmpSession, state: DevicePollState, nowMs: number): Promise<DevicePoll> {
  const started = performance.now();
  state.tables?.beginPoll();
  const system = await getSystemInfo(s);
  const interfaces = await state.interfaces.poll(s, system.sysUpTimeCs, nowMs, state.tables);
  const warnings: string[] = [];
  let host: HostResources = { cpuPct: null, memoryPct: null };
  try {
    host = await pollHostResources(s, state.tables);
  } catch (e) {
    warnings.push(`host resources: ${reasonText(e)}`);
  }
  let arp: ArpTableEntry[] = [];
  try {
    arp = await walkArpTable(s, s.target.ip, DEFAULT_MAX_ARP_ROWS, state.tables);
  } catch (e) {
    warnings.push(`ARP table: ${reasonText(e)}`);
  }
  let defaultGateway: string | null | undefined;
  try {
    defaultGateway = await readDefaultRoute(s, state.tables);
  } catch (e) {
    warnings.push(`default route: ${reasonText(e)}`);
  }
  return {
    system,
    interfaces,
    cpuPct: host.cpuPct,
    memoryPct: host.memoryPct,
    arp,
    defaultGateway,
    pollMs: performance.now() - started,
    warnings,
  };
}

function reasonText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
