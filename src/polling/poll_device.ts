/**
 * One poll of one device, one request at a time: the system group first (it must answer, or the poll
 * fails), then interfaces, host resources, the ARP table, the default route (one request) and the extra parts modules above add (the
 * topology's LLDP/CDP neighbours, see poll_part.ts). A device never has more than one request in flight,
 * so the number of devices polled at once bounds the load on the network and the agents. Everything after
 * the interfaces is optional: an agent that times out or errs on it still gives a successful poll, with
 * the reason in `warnings`. Tables the agent lacked are remembered in the state and asked for again only
 * every {@link DEFAULT_RECHECK_EVERY}th poll — except while the agent is in its first
 * {@link FILLING_IN_UPTIME_CS} of uptime, when its tables may still be filling in. Every part is timed under
 * its name.
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
import { Subsystems } from "../base/mod.ts";
import type { PartResult, PollPart } from "./poll_part.ts";
import { readDefaultRoute } from "./default_route.ts";

/**
 * sysUpTime (centiseconds) below which every table is asked for on every poll: 10 minutes, well past
 * Net-SNMP's first processor-load sample (a minute) and a few LLDP announcement intervals (30 s each).
 */
const FILLING_IN_UPTIME_CS = 10 * 60 * 100;

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
  /** The extra parts' results, for their `deliver` once the device is updated. */
  parts: PartResult[];
  /**
   * The next hop of its default IPv4 route; null when it has none; undefined when it was not read this
   * poll (that part failed, or the agent has no route table and this is not a recheck poll).
   */
  defaultGateway: string | null | undefined;
  /** How long the poll took, ms to a tenth. */
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
  /** Each extra part's own state, by part name (created on its first poll). */
  parts?: Map<string, unknown>;
}

/** A fresh state for a device not polled before. */
export function createDevicePollState(): DevicePollState {
  return {
    interfaces: new InterfacePoller(),
    tables: new TablePresence(DEFAULT_RECHECK_EVERY),
    parts: new Map(),
  };
}

/** What a poll runs besides the core parts, and where it times them. */
export interface PollOptions {
  /** Extra parts, run in this order after the ARP table. */
  parts?: readonly PollPart[];
  /** Times each part under its name (system, interfaces, host_resources, arp_table, then the parts'). */
  timing?: Subsystems;
}

/** Polls that are not timed by a caller still go through one (the cost is two clock reads a part). */
const UNWATCHED = new Subsystems("poller");

/**
 * Polls a device. Rejects with the SnmpError of the system group or the interface walk; failures of
 * host resources, the ARP table and the extra parts are reported in `warnings` instead.
 */
export async function pollDevice(
  s: SnmpSession,
  state: DevicePollState,
  nowMs: number,
  o: PollOptions = {},
): Promise<DevicePoll> {
  const started = performance.now();
  const t = o.timing ?? UNWATCHED;
  // A device that does not answer is routine: its status says so; the poller counts it, without a log line.
  const system = await t.timeAsync("system", () => getSystemInfo(s), false);
  state.tables?.beginPoll(system.sysUpTimeCs < FILLING_IN_UPTIME_CS);
  const interfaces = await t.timeAsync(
    "interfaces",
    () => state.interfaces.poll(s, system.sysUpTimeCs, nowMs, state.tables),
    false,
  );
  const warnings: string[] = [];
  let host: HostResources = { cpuPct: null, memoryPct: null };
  try {
    host = await t.timeAsync("host_resources", () => pollHostResources(s, state.tables), false);
  } catch (e) {
    warnings.push(`host resources: ${reasonText(e)}`);
  }
  let arp: ArpTableEntry[] = [];
  try {
    arp = await t.timeAsync(
      "arp_table",
      () => walkArpTable(s, s.target.ip, DEFAULT_MAX_ARP_ROWS, state.tables),
      false,
    );
  } catch (e) {
    warnings.push(`ARP table: ${reasonText(e)}`);
  }
  let defaultGateway: string | null | undefined;
  try {
    defaultGateway = await t.timeAsync("default_route", () => readDefaultRoute(s, state.tables), false);
  } catch (e) {
    warnings.push(`default route: ${reasonText(e)}`);
  }
  const parts: PartResult[] = [];
  const states = state.parts ??= new Map();
  for (const part of o.parts ?? []) {
    if (!states.has(part.name)) states.set(part.name, part.createState());
    try {
      const ctx = { system, interfaces, tables: state.tables };
      const result = await t.timeAsync(part.name, () => part.poll(s, ctx, states.get(part.name)), false);
      parts.push({ part, result });
    } catch (e) {
      warnings.push(`${part.label}: ${reasonText(e)}`);
    }
  }
  return {
    system,
    interfaces,
    cpuPct: host.cpuPct,
    memoryPct: host.memoryPct,
    arp,
    parts,
    defaultGateway,
    pollMs: Math.round((performance.now() - started) * 10) / 10,
    warnings,
  };
}

function reasonText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
