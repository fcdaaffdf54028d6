/**
 * topology.json in the state directory: what every polled device last said (its identity, its reports
 * with how many polls each has been missing, its forwarding table) and the neighbours seen in capture,
 * so the map after a restart is the map before it. Written with writeFileAtomic like devices.json; an
 * unreadable file is moved aside and reported, never overwritten; one bad entry costs that entry only.
 */
import {
  decodeUtf8Strict,
  moveAside,
  readWholeFile,
  removeStaleTempFiles,
  stringifyLinedSlices,
  writeFileAtomic,
} from "../base/mod.ts";
import type { FdbEntry } from "./fdb_hosts.ts";
import type { NeighbourReport, PortRef, RemoteSystem } from "./neighbour.ts";
import type { PassiveNeighbour } from "./passive_neighbours.ts";
import type { PassiveObservation } from "./passive_report.ts";
import { type AgedReport, type PolledTopology, reportKey } from "./topology_store.ts";

/** The schema version written and read. */
export const TOPOLOGY_SCHEMA = 1;

/** What loading found. */
export interface TopologyLoad {
  /** Per device address. */
  polled: Map<string, PolledTopology>;
  /** Neighbours seen in capture. */
  passive: PassiveNeighbour[];
  /** Entries left out because they did not parse. */
  skipped: number;
  /** Where an unreadable file was moved. */
  movedAside?: string;
  /** What was wrong, in words. */
  problem?: string;
}

/** Writes the state atomically (mode 0600: it names the network's devices). */
export async function saveTopologyFile(
  path: string,
  state: { polled: ReadonlyMap<string, PolledTopology>; passive: readonly PassiveNeighbour[] },
  savedAtMs: number,
): Promise<void> {
  const head = {
    schema: TOPOLOGY_SCHEMA,
    saved_at: new Date(savedAtMs).toISOString(),
    passive: state.passive.map((e) => ({
      key: e.key,
      first_seen_ms: e.firstSeenMs,
      frames: e.frames,
      last: e.last,
    })),
  };
  // A device a line, written a slice at a time (base/lined_json.ts): the forwarding tables of a large site's
  // switches (up to 8,192 entries each) are megabytes of text that would otherwise be made all at once, on
  // the main thread, every 10 s while they change.
  const device = ([ip, p]: [string, PolledTopology]) => ({
    ip,
    chassis_ids: p.chassisIds,
    names: p.names,
    reports: [...p.reports.values()],
    fdb: p.fdb.map((f) => [f.mac, f.ifIndex]),
  });
  await writeFileAtomic(path, stringifyLinedSlices(head, "devices", state.polled, device), { mode: 0o600 });
}

/** Reads the state; a missing file is an empty one. Throws only when the file cannot be read at all. */
export async function loadTopologyFile(path: string, now: () => number = Date.now): Promise<TopologyLoad> {
  await removeStaleTempFiles(path);
  const empty = (): TopologyLoad => ({ polled: new Map(), passive: [], skipped: 0 });
  let doc: Record<string, unknown>;
  try {
    const parsed = JSON.parse(decodeUtf8Strict(await readWholeFile(path)));
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new Error("not an object");
    }
    if (parsed.schema !== TOPOLOGY_SCHEMA) {
      throw new Error(`schema ${JSON.stringify(parsed.schema)} is not ${TOPOLOGY_SCHEMA}`);
    }
    if (!Array.isArray(parsed.devices) || !Array.isArray(parsed.passive)) {
      throw new Error("devices or passive is not a list");
    }
    doc = parsed;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return empty();
    if (err instanceof Deno.errors.PermissionDenied || err instanceof Deno.errors.IsADirectory) throw err;
    const movedAside = await moveAside(path, now);
    const why = err instanceof Error ? err.message : String(err);
    return { ...empty(), movedAside, problem: `${path} is unreadable (${why}): moved it to ${movedAside}` };
  }
  const out = empty();
  for (const raw of doc.devices as unknown[]) {
    const d = polledEntry(raw);
    if (d) out.polled.set(d.ip, d.topology);
    else out.skipped++;
  }
  for (const raw of doc.passive as unknown[]) {
    const e = passiveEntry(raw);
    if (e) out.passive.push(e);
    else out.skipped++;
  }
  return out;
}

type Raw = Record<string, unknown>;
const isObj = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === "string";
const isNullStr = (v: unknown): v is string | null => v === null || typeof v === "string";
const isStrs = (v: unknown): v is string[] => Array.isArray(v) && v.every(isStr);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isTime = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0;

function port(v: unknown): PortRef | null {
  if (!isObj(v) || !isStr(v.name) || !isStrs(v.aliases)) return null;
  if (v.ifIndex !== null && !isCount(v.ifIndex)) return null;
  return { ifIndex: v.ifIndex as number | null, name: v.name, aliases: v.aliases };
}

function remote(v: unknown): RemoteSystem | null {
  if (!isObj(v) || !isNullStr(v.chassisId) || !isNullStr(v.name) || !isNullStr(v.platform)) return null;
  if (!isStrs(v.capabilities) || !isStrs(v.addresses) || !isStrs(v.macs)) return null;
  const p = port(v.port);
  if (!p) return null;
  const { chassisId, name, platform, capabilities, addresses, macs } = v;
  return { chassisId, name, platform, capabilities, addresses, macs, port: p };
}

function report(v: unknown): NeighbourReport | null {
  if (!isObj(v) || (v.protocol !== "lldp" && v.protocol !== "cdp")) return null;
  const localPort = port(v.localPort), r = remote(v.remote);
  return localPort && r ? { protocol: v.protocol, localPort, remote: r } : null;
}

function polledEntry(v: unknown): { ip: string; topology: PolledTopology } | null {
  if (!isObj(v) || !isStr(v.ip) || !isStrs(v.chassis_ids) || !isStrs(v.names)) return null;
  if (!Array.isArray(v.reports) || !Array.isArray(v.fdb)) return null;
  const reports = new Map<string, AgedReport>();
  for (const x of v.reports) {
    const r = isObj(x) ? report(x.report) : null;
    if (!r || !isCount((x as Raw).missed)) return null;
    reports.set(reportKey(r), { report: r, missed: (x as Raw).missed as number });
  }
  const fdb: FdbEntry[] = [];
  for (const x of v.fdb) {
    if (!Array.isArray(x) || !isStr(x[0]) || !isCount(x[1])) return null;
    fdb.push({ mac: x[0], ifIndex: x[1] });
  }
  return { ip: v.ip, topology: { chassisIds: v.chassis_ids, names: v.names, reports, fdb } };
}

function passiveEntry(v: unknown): PassiveNeighbour | null {
  if (!isObj(v) || !isStr(v.key) || !isTime(v.first_seen_ms) || !isCount(v.frames) || !isObj(v.last)) {
    return null;
  }
  const o = v.last;
  const r = report(o.report);
  if (!r || !isTime(o.tsMs) || !isStr(o.iface) || !isCount(o.vlan) || !isStr(o.srcMac) || !isCount(o.ttlS)) {
    return null;
  }
  if (!isStr(o.portId) || !isNullStr(o.portDescription) || !isNullStr(o.systemDescription)) return null;
  if (o.nativeVlan !== null && !isCount(o.nativeVlan)) return null;
  const last: PassiveObservation = {
    tsMs: o.tsMs,
    iface: o.iface,
    vlan: o.vlan,
    srcMac: o.srcMac,
    ttlS: o.ttlS,
    report: r,
    portId: o.portId,
    portDescription: o.portDescription,
    systemDescription: o.systemDescription,
    nativeVlan: o.nativeVlan as number | null,
  };
  return { key: v.key, firstSeenMs: v.first_seen_ms, frames: v.frames, last };
}
