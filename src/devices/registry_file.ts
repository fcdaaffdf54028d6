/**
 * devices.json: the device registry on disk, `{ "schema": 1, "saved_at": "…", "devices": [DeviceJson…] }`,
 * each device without its null members and empty lists, on a line of its own (base/lined_json.ts: one JSON
 * document, read back a device at a time; a file in any other layout, such as one line, is read whole).
 *
 * Written with writeFileAtomic, so a kill at any moment leaves the old file or the new one. A file that
 * cannot be read as this schema is never overwritten in place and never silently dropped: it is renamed
 * to `devices.json.corrupt-<UTC timestamp>` and reported, and the registry starts empty. One bad device
 * in a good file costs that device only.
 */
import {
  decodeUtf8Strict,
  type Elements,
  elementsOf,
  moveAside,
  readLined,
  readWholeFile,
  removeStaleTempFiles,
  stringifyLinedSlices,
  writeFileAtomic,
} from "../base/mod.ts";
import { formatIp, normalizeMac, parseIp, parseIpv4 } from "../net/mod.ts";
import {
  DEVICE_TYPES,
  deviceFieldsOf,
  type DeviceJson,
  INTERFACE_STATUSES,
  type InterfaceJson,
  type InterfaceStatus,
  SNMP_STATUSES,
  type SnmpPollStatus,
} from "../events/mod.ts";

/** The schema version this code reads and writes. */
export const REGISTRY_SCHEMA = 1;

/** The file's top level. */
export interface RegistryFile {
  /** Schema version, REGISTRY_SCHEMA. */
  schema: typeof REGISTRY_SCHEMA;
  /** When the file was written, ISO 8601. */
  saved_at: string;
  /** Every device, without its null members and empty lists (read back as those). */
  devices: Partial<DeviceJson>[];
}

/** What loading found. */
export interface RegistryLoadResult {
  /** The valid devices, in file order (a repeated address: the first one). */
  devices: DeviceJson[];
  /** Where an unreadable file was moved, when it was. */
  movedAside?: string;
  /** What was wrong, in words, when anything was (a moved file or skipped devices). */
  problem?: string;
  /** Devices left out because a field was bad. */
  skipped: number;
  /** Devices after the first `max` good ones, not read (the registry is full). */
  beyondMax: number;
  /** Temporary files of interrupted saves that were removed. */
  staleTempFiles: number;
}

/** How many skipped devices are described in `problem`. */
const MAX_REASONS = 3;

/**
 * Writes the registry file atomically (the devices as given; callers sort them), each device without its
 * null members and empty lists (see {@link compactDevice}).
 */
export async function saveRegistryFile(
  path: string,
  devices: readonly DeviceJson[],
  savedAtMs: number,
): Promise<void> {
  const head: Omit<RegistryFile, "devices"> = {
    schema: REGISTRY_SCHEMA,
    saved_at: new Date(savedAtMs).toISOString(),
  };
  // A device a line (base/lined_json.ts): read back a device at a time, without the whole file's tree; and
  // written a slice of devices at a time, the thread free between slices.
  await writeFileAtomic(path, stringifyLinedSlices(head, "devices", devices, compactDevice), { mode: 0o600 });
}

/**
 * A device as saved: without the members that are null, the lists that are empty, and an SNMP status
 * that says only "not polled" — what validateDevice reads back as exactly those (this schema has always
 * read absent members so). Most of a large registry is hosts a sweep found, with little else: 65,536 of
 * them were 37 MB written in full and 21 MB so, and parsing the file at start took a quarter of the time
 * (50 against 200 ms); building the copies costs less than the bytes they save in JSON.stringify.
 */
function compactDevice(d: DeviceJson): Partial<DeviceJson> {
  const out: Record<string, unknown> = {}, all = d as unknown as Record<string, unknown>;
  for (const k in all) {
    const v = all[k];
    if (v === null || (Array.isArray(v) && v.length === 0)) continue;
    if (k === "snmp") {
      const snmp = withoutNulls(v as SnmpPollStatus);
      if (snmp.status !== "not_polled" || Object.keys(snmp).length > 1) out.snmp = snmp;
    } else if (k === "interfaces") out.interfaces = (v as InterfaceJson[]).map(withoutNulls);
    else out[k] = v;
  }
  return out as Partial<DeviceJson>;
}

function withoutNulls(o: object): Record<string, unknown> {
  const out: Record<string, unknown> = {}, all = o as Record<string, unknown>;
  for (const k in all) if (all[k] !== null) out[k] = all[k];
  return out;
}

/**
 * Reads the registry file. A missing file is an empty registry. A file that is not JSON, not UTF-8,
 * not an object with `devices`, or of another schema is moved aside and reported in `problem`. A file
 * that cannot be read at all (permissions, a directory in its place) throws: starting empty would
 * overwrite it on the next save. Devices after the first `max` good ones are counted, not checked (nor, in
 * the layout saves write, parsed): the registry could not hold them (checking costs about 5 µs a device, 0.2 s
 * of a start with 100 k).
 */
export async function loadRegistryFile(
  path: string,
  now: () => number = Date.now,
  max = Infinity,
): Promise<RegistryLoadResult> {
  const staleTempFiles = await removeStaleTempFiles(path);
  let bytes: Uint8Array;
  try {
    bytes = await readWholeFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return { devices: [], skipped: 0, beyondMax: 0, staleTempFiles };
    throw err;
  }
  let text: string;
  try {
    text = decodeUtf8Strict(bytes);
  } catch {
    return { ...await moveUnreadable(path, "not UTF-8 text", now), staleTempFiles };
  }
  bytes = new Uint8Array(0); // the text and what is parsed of it are enough to hold at once
  const lined = readLined(text, "devices");
  if (lined !== null) {
    try {
      return await readDocument(path, lined.head, lined, now, max, staleTempFiles);
    } catch (err) {
      if (!(err instanceof SyntaxError)) throw err;
      // a line that is not one device: the document is parsed whole below, which says where it is broken
    }
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return {
      ...await moveUnreadable(path, `not valid JSON (${(err as Error).message})`, now),
      staleTempFiles,
    };
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    return { ...await moveUnreadable(path, "not a JSON object", now), staleTempFiles };
  }
  const list = (doc as Record<string, unknown>).devices;
  const elements = Array.isArray(list) ? elementsOf(list) : null;
  return await readDocument(path, doc as Record<string, unknown>, elements, now, max, staleTempFiles);
}

/**
 * The registry in a parsed document's `top` members and its devices: the first `max` good ones, checked.
 * `elements` null: `devices` is not a list.
 * @throws SyntaxError from a LinedReader's line that is not JSON
 */
async function readDocument(
  path: string,
  top: Record<string, unknown>,
  elements: Elements | null,
  now: () => number,
  max: number,
  staleTempFiles: number,
): Promise<RegistryLoadResult> {
  if (top.schema !== REGISTRY_SCHEMA) {
    const why = `schema ${JSON.stringify(top.schema) ?? "missing"} is not ${REGISTRY_SCHEMA}, the one this ` +
      "version reads";
    return { ...await moveUnreadable(path, why, now), staleTempFiles };
  }
  if (elements === null) {
    return { ...await moveUnreadable(path, '"devices" is not an array', now), staleTempFiles };
  }

  const devices: DeviceJson[] = [];
  const seen = new Set<string>();
  const reasons: string[] = [];
  let skipped = 0, i = 0;
  for (; devices.length < max; i++) {
    const raw = elements.next();
    if (raw === undefined) break;
    let d: DeviceJson | string = validateDevice(raw);
    if (typeof d !== "string" && seen.has(d.ip)) d = `ip ${d.ip} is listed twice`;
    if (typeof d === "string") {
      skipped++;
      if (reasons.length < MAX_REASONS) reasons.push(`device ${i}: ${d}`);
      continue;
    }
    seen.add(d.ip);
    devices.push(d);
  }
  const result: RegistryLoadResult = { devices, skipped, beyondMax: elements.rest(), staleTempFiles };
  if (skipped > 0) {
    result.problem = `${path}: skipped ${skipped} of ${i + result.beyondMax} devices with bad fields (` +
      reasons.join("; ") + (skipped > reasons.length ? "; …" : "") + ")";
  }
  return result;
}

/**
 * A device from the file, checked field by field, or what is wrong with it. Nullable fields may be
 * absent (null), lists may be absent (empty); a field of the wrong type makes the device bad.
 */
export function validateDevice(raw: unknown): DeviceJson | string {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return "not an object";
  const r = raw as Record<string, unknown>;
  const ip = canonicalIp(r.ip);
  if (ip === undefined) return `ip ${short(r.ip)} is not an IP address`;
  let mac: string | null = null;
  if (r.mac !== undefined && r.mac !== null) {
    // what saves write is already in the one form Flintnet shows: kept as it is, not parsed and formatted
    mac = typeof r.mac === "string" ? (CANONICAL_MAC.test(r.mac) ? r.mac : normalizeMac(r.mac)) : null;
    if (mac === null) return `mac ${short(r.mac)} is not a MAC address`;
  }
  if (!(DEVICE_TYPES as readonly unknown[]).includes(r.type)) {
    return `type ${short(r.type)} is not a device type`;
  }
  for (const k of TEXT_FIELDS) if (!nullableString(r[k])) return `${k} is not a string or null`;
  for (const k of NUMBER_FIELDS) if (!nullableNumber(r[k])) return `${k} is not a number or null`;
  for (const k of TIME_FIELDS) {
    if (typeof r[k] !== "string" || !Number.isFinite(Date.parse(r[k] as string))) return `${k} is not a time`;
  }
  const snmp = validateSnmp(r.snmp);
  if (typeof snmp === "string") return snmp;
  const interfaces: InterfaceJson[] = [];
  if (r.interfaces !== undefined) {
    if (!Array.isArray(r.interfaces)) return "interfaces is not an array";
    for (const x of r.interfaces) {
      const itf = validateInterface(x);
      if (typeof itf === "string") return `interface ${short((x as { index?: unknown })?.index)}: ${itf}`;
      interfaces.push(itf);
    }
  }
  let sources: string[] = [];
  if (r.sources !== undefined) {
    if (!Array.isArray(r.sources) || !r.sources.every((s) => typeof s === "string")) {
      return "sources is not a list of strings";
    }
    sources = r.sources;
  }
  return {
    ip,
    mac,
    name: orNull(r.name),
    type: r.type as DeviceJson["type"],
    type_rule: orNull(r.type_rule),
    vendor: orNull(r.vendor),
    model: orNull(r.model),
    os_version: orNull(r.os_version),
    sys_descr: orNull(r.sys_descr),
    sys_object_id: orNull(r.sys_object_id),
    uptime_s: orNull(r.uptime_s),
    snmp,
    interfaces,
    cpu_pct: orNull(r.cpu_pct),
    memory_pct: orNull(r.memory_pct),
    sources,
    first_seen: r.first_seen as string,
    last_seen: r.last_seen as string,
  };
}

function validateSnmp(raw: unknown): SnmpPollStatus | string {
  if (raw === undefined || raw === null) {
    return { status: "not_polled", last_success: null, last_error: null, poll_ms: null };
  }
  if (typeof raw !== "object" || Array.isArray(raw)) return "snmp is not an object";
  const s = raw as Record<string, unknown>;
  if (!(SNMP_STATUSES as readonly unknown[]).includes(s.status)) {
    return `snmp.status ${short(s.status)} is unknown`;
  }
  if (!nullableString(s.last_success) || !nullableString(s.last_error)) return "snmp has a bad time or error";
  if (!nullableNumber(s.poll_ms)) return "snmp.poll_ms is not a number or null";
  return {
    status: s.status as SnmpPollStatus["status"],
    last_success: orNull(s.last_success),
    last_error: orNull(s.last_error),
    poll_ms: orNull(s.poll_ms),
  };
}

function validateInterface(raw: unknown): InterfaceJson | string {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return "not an object";
  const r = raw as Record<string, unknown>;
  if (!Number.isSafeInteger(r.index)) return "index is not a whole number";
  for (const k of ["name", "alias", "type"] as const) {
    if (typeof r[k] !== "string") return `${k} is not a string`;
  }
  for (const k of ["oper_status", "admin_status"] as const) {
    if (!(INTERFACE_STATUSES as readonly unknown[]).includes(r[k])) return `${k} ${short(r[k])} is unknown`;
  }
  const numbers = [
    "speed_bps",
    "in_util_pct",
    "out_util_pct",
    "in_bps",
    "out_bps",
    "in_errors_per_s",
    "out_errors_per_s",
    "in_discards_per_s",
  ] as const;
  for (const k of numbers) if (!nullableNumber(r[k])) return `${k} is not a number or null`;
  if (r.counters !== undefined && r.counters !== null && r.counters !== "hc64" && r.counters !== "c32") {
    return `counters ${short(r.counters)} is not hc64, c32 or null`;
  }
  return {
    index: r.index as number,
    name: r.name as string,
    alias: r.alias as string,
    type: r.type as string,
    speed_bps: orNull(r.speed_bps),
    oper_status: r.oper_status as InterfaceStatus,
    admin_status: r.admin_status as InterfaceStatus,
    in_util_pct: orNull(r.in_util_pct),
    out_util_pct: orNull(r.out_util_pct),
    in_bps: orNull(r.in_bps),
    out_bps: orNull(r.out_bps),
    in_errors_per_s: orNull(r.in_errors_per_s),
    out_errors_per_s: orNull(r.out_errors_per_s),
    in_discards_per_s: orNull(r.in_discards_per_s),
    counters: orNull(r.counters) as InterfaceJson["counters"],
  };
}

const TEXT_FIELDS = deviceFieldsOf("text");
const NUMBER_FIELDS = deviceFieldsOf("number");
const TIME_FIELDS = deviceFieldsOf("time");
/** A MAC as saves write it (lower case, colons). */
const CANONICAL_MAC = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/;

/**
 * The address in the form Flintnet stores, or undefined when `v` is not one. A dotted quad parseIpv4
 * accepts (no leading zeros) is already that form, and is most of a registry: kept without formatting.
 */
function canonicalIp(v: unknown): string | undefined {
  if (typeof v !== "string") return undefined;
  if (parseIpv4(v) !== undefined) return v;
  const parsed = parseIp(v);
  return parsed && formatIp(parsed.family, parsed.words, 0);
}

function nullableString(v: unknown): boolean {
  return v === undefined || v === null || typeof v === "string";
}

function nullableNumber(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === "number" && Number.isFinite(v));
}

function orNull<T>(v: unknown): T | null {
  return v === undefined ? null : v as T | null;
}

/** A value for a message, cut short: the file may hold anything. */
function short(v: unknown): string {
  const s = JSON.stringify(v) ?? "missing";
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/** Moves an unreadable file aside and says so: the registry starts empty. */
async function moveUnreadable(path: string, why: string, now: () => number): Promise<RegistryLoadResult> {
  const target = await moveAside(path, now);
  return {
    devices: [],
    skipped: 0,
    beyondMax: 0,
    staleTempFiles: 0,
    movedAside: target,
    problem: `${path} is ${why}: moved it to ${target} and started with an empty device registry`,
  };
}
