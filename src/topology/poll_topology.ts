/**
 * The topology part of a device's poll, over the poll's own session, one request at a time: LLDP-MIB
 * (LLDP-V2-MIB only when LLDP-MIB has no neighbours), CISCO-CDP-MIB, then the bridge forwarding table.
 * Tables the agent lacks cost a request only on the poll's recheck polls (TablePresence), so a device
 * without any of them adds nothing most of the time. The device's own LLDP chassis ID and CDP device
 * ID, which let its neighbours find it, are read on the first poll that finds neighbour tables and
 * then every {@link DEFAULT_RECHECK_EVERY}th.
 */
import type { InterfaceJson } from "../events/mod.ts";
import {
  DEFAULT_RECHECK_EVERY,
  type SnmpSession,
  type SnmpValue,
  type TablePresence,
  textOf,
} from "../snmp/mod.ts";
import { readCdpNeighbours } from "./cdp_mib.ts";
import { readFdb } from "./fdb_mib.ts";
import { chassisIdText } from "./lldp_ids.ts";
import { LLDP_V1, LLDP_V2, readLldpNeighbours } from "./lldp_mib.ts";
import type { TopologyPoll } from "./topology_store.ts";
import type { PollPart } from "../polling/mod.ts";

/** lldpLocChassisIdSubtype.0, lldpLocChassisId.0, lldpLocSysName.0 (LLDP-MIB lldpLocalSystemData). */
const LLDP_LOCAL = ["1.0.8802.1.1.2.1.3.1.0", "1.0.8802.1.1.2.1.3.2.0", "1.0.8802.1.1.2.1.3.3.0"];
/** The same three scalars of LLDP-V2-MIB (lldpV2LocalSystemData). */
const LLDP_V2_LOCAL = [
  "1.3.111.2.802.1.1.13.1.3.1.0",
  "1.3.111.2.802.1.1.13.1.3.2.0",
  "1.3.111.2.802.1.1.13.1.3.3.0",
];
/** cdpGlobalDeviceId.0 (CISCO-CDP-MIB). */
const CDP_GLOBAL_DEVICE_ID = "1.3.6.1.4.1.9.9.23.1.3.4.0";

/** What a device's topology poller keeps between polls. */
export interface TopologyPollState {
  /** Polls so far. */
  polls: number;
  /** The device's own identity, once read. */
  identity: { chassisIds: string[]; names: string[] } | undefined;
  /** `polls` when it was read. */
  identityAt: number;
}

/** A fresh state for a device not polled before. */
export function createTopologyPollState(): TopologyPollState {
  return { polls: 0, identity: undefined, identityAt: 0 };
}

/**
 * Reads the device's neighbours and forwarding table. Rejects with the SnmpError of the LLDP or CDP
 * read (a partial answer must not age neighbours out); a failed forwarding-table read gives `fdb: null`.
 */
export async function pollTopology(
  s: SnmpSession,
  interfaces: readonly InterfaceJson[],
  tables?: TablePresence,
  state: TopologyPollState = createTopologyPollState(),
): Promise<TopologyPoll> {
  const v1 = await readLldpNeighbours(s, LLDP_V1, interfaces, tables);
  const v2 = v1.present ? undefined : await readLldpNeighbours(s, LLDP_V2, interfaces, tables);
  const cdp = await readCdpNeighbours(s, interfaces, tables);
  const fdb = await readFdb(s, tables).catch(() => null);
  const speaks = v1.present || (v2?.present ?? false) || cdp.present;
  if (speaks && (state.identity === undefined || state.polls - state.identityAt >= DEFAULT_RECHECK_EVERY)) {
    state.identity = await readIdentity(s);
    state.identityAt = state.polls;
  }
  state.polls++;
  return {
    chassisIds: state.identity?.chassisIds ?? [],
    names: state.identity?.names ?? [],
    reports: [...v1.reports, ...(v2?.reports ?? []), ...cdp.reports],
    fdb,
  };
}

/** The device's own LLDP chassis IDs and names, and CDP device ID, in one GET. */
async function readIdentity(s: SnmpSession): Promise<{ chassisIds: string[]; names: string[] }> {
  const v = await s.get([...LLDP_LOCAL, ...LLDP_V2_LOCAL, CDP_GLOBAL_DEVICE_ID]);
  const chassisIds: string[] = [], names: string[] = [];
  for (const at of [0, 3]) {
    const chassis = chassisOf(v[at], v[at + 1]);
    if (chassis && !chassisIds.includes(chassis)) chassisIds.push(chassis);
    const name = textOf(v[at + 2]);
    if (name && !names.includes(name)) names.push(name);
  }
  const cdpId = textOf(v[6]);
  if (cdpId && !names.includes(cdpId)) names.push(cdpId);
  return { chassisIds, names };
}

function chassisOf(subtype: SnmpValue | undefined, id: SnmpValue | undefined): string | null {
  return typeof subtype === "number" && id instanceof Uint8Array && id.length > 0
    ? chassisIdText(subtype, id)
    : null;
}

/**
 * The topology's part of every device's poll: LLDP/CDP neighbours and the forwarding table, handed to
 * `deliver` (the store's observePoll) once the device is updated.
 */
export function topologyPollPart(
  deliver: (ip: string, poll: TopologyPoll) => void,
): PollPart<TopologyPollState, TopologyPoll> {
  return {
    name: "topology",
    label: "LLDP/CDP neighbours",
    createState: createTopologyPollState,
    poll: (s, ctx, state) => pollTopology(s, ctx.interfaces, ctx.tables, state),
    deliver,
  };
}
