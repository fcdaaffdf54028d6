/**
 * arp-state.json: the ARP history on disk, so that a restart neither re-learns nor re-alerts. The file
 * is JSON (MACs and addresses as text, times as ms since the epoch); in memory the same state is
 * {@link ArpStateData} with numeric keys, which ArpHistory writes out and takes back.
 *
 * Reading is forgiving inside a valid file (an entry that does not parse is skipped) and strict about
 * the file itself (not JSON, or not a version {@link STATE_VERSION} state file: ArpStateError).
 */
import { jsonListSlices, writeFileAtomic } from "../base/mod.ts";
import { formatIpv4, formatMac, parseIpv4, parseMac } from "../net/mod.ts";
import type { ArpStateData, ConditionState, IpChange, MacState } from "./arp_state.ts";

export type { ArpStateData, ConditionState, MacState } from "./arp_state.ts";

/** Version of arp-state.json. */
const STATE_VERSION = 1;

/** A state file that is not one. */
export class ArpStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ArpStateError";
  }
}

/**
 * `data` as the text of arp-state.json, in slices made as they are asked for (writeFileAtomic writes each
 * before asking for the next): one JSON document, what JSON.stringify gives for the whole state.
 */
function* encodeArpState(data: ArpStateData): Generator<string> {
  const head = JSON.stringify({
    version: STATE_VERSION,
    learning_started_ms: data.learningStartMs,
    evicted_macs: data.evictedMacs,
  });
  // A slice is 1,024 entries (base/lined_json.ts): about 10 ms of a save at the history's bound.
  yield `${head.slice(0, -1)},"known":[`;
  yield* jsonListSlices(data.known, ",", formatMac);
  yield '],"acknowledged":[';
  yield* jsonListSlices(data.acknowledged, ",", formatMac);
  yield '],"macs":[';
  yield* jsonListSlices(data.macs, ",", macJson);
  const conditions = data.conditions.map((c) => ({
    slot: c.slot,
    mac: formatMac(c.mac),
    ip: formatIpv4(c.ip),
    last: c.last,
  }));
  yield `],"conditions":${JSON.stringify(conditions)}}\n`;
}

/** One MAC's entry in the file. */
function macJson(r: MacState): Record<string, unknown> {
  return {
    mac: formatMac(r.mac),
    first: r.first,
    last: r.last,
    current: r.current === null ? null : formatIpv4(r.current),
    ips: r.ips.map((b) => ({ ip: formatIpv4(b.ip), first: b.first, last: b.last })),
    changes: r.changes.map((c) => ({
      at: c.at,
      ip: formatIpv4(c.ip),
      previous_ip: c.previousIp < 0 ? null : formatIpv4(c.previousIp),
      previous_mac: c.previousMac < 0 ? null : formatMac(c.previousMac),
    })),
  };
}

/**
 * The state in a parsed arp-state.json; entries that do not parse are left out.
 * @throws ArpStateError when it is not a version {@link STATE_VERSION} state file (`path` names it)
 */
function decodeArpState(state: unknown, path: string): ArpStateData {
  const s = state as Record<string, unknown>;
  if (typeof s !== "object" || s === null || s.version !== STATE_VERSION || !Array.isArray(s.macs)) {
    throw new ArpStateError(
      `${path} is not a version ${STATE_VERSION} Flintnet ARP state file; move it away to start afresh`,
    );
  }
  const macs: MacState[] = [];
  for (const raw of s.macs as Record<string, unknown>[]) {
    const mac = parseMac(String(raw?.mac));
    const first = ms(raw?.first), last = ms(raw?.last);
    if (mac === undefined || first === undefined || last === undefined) continue;
    const ips: MacState["ips"] = [];
    for (const b of Array.isArray(raw.ips) ? raw.ips as Record<string, unknown>[] : []) {
      const ip = parseIpv4(String(b?.ip)), bf = ms(b?.first), bl = ms(b?.last);
      if (ip !== undefined && bf !== undefined && bl !== undefined) ips.push({ ip, first: bf, last: bl });
    }
    const changes: IpChange[] = [];
    for (const c of Array.isArray(raw.changes) ? raw.changes as Record<string, unknown>[] : []) {
      const at = ms(c?.at), ip = parseIpv4(String(c?.ip));
      if (at === undefined || ip === undefined) continue;
      const previousIp = parseIpv4(String(c.previous_ip)) ?? -1;
      const previousMac = parseMac(String(c.previous_mac)) ?? -1;
      changes.push({ at, ip, previousIp, previousMac });
    }
    macs.push({ mac, first, last, current: parseIpv4(String(raw.current)) ?? null, ips, changes });
  }
  const conditions: ConditionState[] = [];
  for (const c of Array.isArray(s.conditions) ? s.conditions as Record<string, unknown>[] : []) {
    const mac = parseMac(String(c?.mac)),
      ip = parseIpv4(String(c?.ip)),
      last = ms(c?.last),
      slot = ms(c?.slot);
    if (mac !== undefined && ip !== undefined && last !== undefined && slot !== undefined) {
      conditions.push({ slot, mac, ip, last });
    }
  }
  return {
    learningStartMs: ms(s.learning_started_ms) ?? null,
    evictedMacs: ms(s.evicted_macs) ?? 0,
    known: macList(s.known),
    acknowledged: macList(s.acknowledged),
    macs,
    conditions,
  };
}

/**
 * Reads and decodes `path`; null when there is no file.
 * @throws ArpStateError when it is not valid JSON or not a state file
 */
export async function readArpState(path: string): Promise<ArpStateData | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch (e) {
    throw new ArpStateError(
      `${path} is not valid JSON (${(e as Error).message}); move it away to start afresh`,
    );
  }
  return decodeArpState(state, path);
}

/** Writes `data` to `path` atomically (temp file, fsync, rename). */
export function writeArpState(path: string, data: ArpStateData): Promise<void> {
  return writeFileAtomic(path, encodeArpState(data));
}

function ms(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** The MACs of a list of strings; anything else in it is left out. */
function macList(v: unknown): number[] {
  const out: number[] = [];
  for (const x of Array.isArray(v) ? v : []) {
    const m = typeof x === "string" ? parseMac(x) : undefined;
    if (m !== undefined) out.push(m);
  }
  return out;
}
