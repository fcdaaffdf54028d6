/**
 * The device registry: every device Flintnet knows, merged from what each source sees (ARP sweep,
 * SNMP, traffic, polled ARP tables, traps), published as `device` events and kept in devices.json.
 *
 * Devices are replaced, never mutated, when they change: what list(), get() and events hand out is a
 * snapshot a reader can keep. Saves are debounced and serialised; a change worth an event is saved
 * within `saveDelayMs`, a quiet one (last_seen, rates, uptime) within `idleSaveDelayMs`, so a busy
 * network does not rewrite the file every few seconds.
 */
import {
  DEVICE_IDENTITY_FIELDS,
  type DeviceEvent,
  type DeviceJson,
  type DeviceType,
  type InterfaceJson,
  type InterfaceStatus,
  type SnmpPollStatus,
} from "../events/mod.ts";
import {
  compareIps,
  formatIp,
  isLocallyAdministered,
  normalizeMac,
  parseIp,
  parseMac,
  sortByIp,
} from "../net/mod.ts";
import { createLogger } from "../base/mod.ts";
import type { SystemInfo } from "../snmp/mod.ts";
import type { VendorLookup } from "./oui.ts";
import { loadRegistryFile, type RegistryLoadResult, saveRegistryFile } from "./registry_file.ts";

/** Where an observation came from. */
export type DeviceSourceKind = "arp_sweep" | "snmp" | "traffic" | "arp_table" | "trap" | "netflow";

/** What one source knows about a device at one moment. Absent members mean "this source does not say". */
export interface DeviceObservation {
  /** The address it was seen at (any spelling; stored in canonical form). */
  ip: string;
  /** Its MAC (any common spelling); null or absent when not known (e.g. behind a router). */
  mac?: string | null;
  /** Who saw it. */
  source: DeviceSourceKind;
  /** A name learned otherwise than sysName (sysName in `system` wins). */
  name?: string;
  /** The system group, from an SNMP answer. */
  system?: SystemInfo;
  /** What classification decided. */
  classification?: {
    type: DeviceType;
    rule: string | null;
    vendor: string | null;
    model: string | null;
    osVersion: string | null;
  };
  /** Poll status members to change. */
  snmp?: Partial<SnmpPollStatus>;
  /** The interfaces as the last poll saw them (replaces the list). */
  interfaces?: InterfaceJson[];
  /** CPU load, 0–100; null when the agent has none. */
  cpuPct?: number | null;
  /** Memory use, 0–100; null when the agent has none. */
  memoryPct?: number | null;
  /** When it was seen, ms since the epoch (default: now). */
  seenAt?: number;
}

/** Options of {@link DeviceRegistry}. */
export interface DeviceRegistryOptions {
  /** devices.json. */
  path: string;
  /** Where `found` and `updated` events go. */
  publish: (e: DeviceEvent) => void;
  /** MAC vendors, for devices SNMP names no vendor for. */
  oui?: VendorLookup;
  /** Clock, ms since the epoch. @default Date.now */
  now?: () => number;
  /** Delay before saving a change that published an event, ms. @default 2000 */
  saveDelayMs?: number;
  /** Delay before saving a change that published nothing (last_seen, rates), ms. @default 60000 */
  idleSaveDelayMs?: number;
  /** Most devices held; a new device beyond it is refused and counted. @default 65536 */
  maxDevices?: number;
  /** Most interfaces kept per device (lowest ifIndex first). @default 16384 */
  maxInterfaces?: number;
}

/** Longest string kept from a peer (sysDescr is at most 255 octets by RFC 3418; a hostile agent ignores that). */
const MAX_TEXT = 1024;

/** Per-device state that is not part of DeviceJson. */
interface Entry {
  device: DeviceJson;
  /** The vendor SNMP classification gave: undefined when not known since start (a loaded device). */
  snmpVendor: string | null | undefined;
}

const log = createLogger("devices");

/** The device registry. */
export class DeviceRegistry {
  #opts: Required<Omit<DeviceRegistryOptions, "oui">> & { oui?: VendorLookup };
  #byIp = new Map<string, Entry>();
  #refused = 0;
  #notableChanges = 0;
  #dirty = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerDue = Infinity;
  #saving: Promise<void> = Promise.resolve();
  #stopped = false;
  #saveErrors = 0;

  constructor(opts: DeviceRegistryOptions) {
    this.#opts = {
      now: Date.now,
      saveDelayMs: 2000,
      idleSaveDelayMs: 60_000,
      maxDevices: 65_536,
      maxInterfaces: 16_384,
      ...opts,
    };
  }

  /** Devices held. */
  get size(): number {
    return this.#byIp.size;
  }

  /** New devices refused because the registry was full, since start. */
  get refused(): number {
    return this.#refused;
  }

  /** Saves that failed since start (each is logged and retried on the next change or flush). */
  get saveErrors(): number {
    return this.#saveErrors;
  }

  /**
   * Reads devices.json (see loadRegistryFile: a corrupt file is moved aside and reported in the
   * result and the log). Devices already observed are kept as they are.
   */
  async load(): Promise<RegistryLoadResult> {
    const room = this.#opts.maxDevices - this.#byIp.size;
    const result = await loadRegistryFile(this.#opts.path, this.#opts.now, Math.max(room, 0));
    if (result.problem) log.warn(result.problem, { moved_aside: result.movedAside ?? null });
    this.#refused += result.beyondMax;
    if (result.beyondMax > 0) {
      log.warn(
        `devices.json holds more devices than the registry keeps: the first ${this.#opts.maxDevices} were loaded`,
        {
          not_loaded: result.beyondMax,
        },
      );
    }
    for (const device of result.devices) {
      if (this.#byIp.has(device.ip)) continue;
      if (this.#byIp.size >= this.#opts.maxDevices) {
        this.#refused++;
        continue;
      }
      this.#byIp.set(device.ip, { device, snmpVendor: undefined });
    }
    return result;
  }

  /**
   * Changes published as events so far (a device found, or updated in what people watch): a reader that
   * shows only that (the network map) need not look again while this stays the same.
   */
  get notableChanges(): number {
    return this.#notableChanges;
  }

  /** Every device, in no particular order (the API sorts). */
  list(): DeviceJson[] {
    return Array.from(this.#byIp.values(), (e) => e.device);
  }

  /** The device at this address (any spelling), if known. */
  get(ip: string): DeviceJson | undefined {
    const exact = this.#byIp.get(ip); // canonical already (the map's edges ask thousands at a time)
    if (exact !== undefined) return exact.device;
    const key = canonicalIp(ip);
    return key === undefined ? undefined : this.#byIp.get(key)?.device;
  }

  /** The devices with this MAC (any spelling), sorted by address: a host can hold several addresses. */
  byMac(mac: string): DeviceJson[] {
    const m = normalizeMac(mac);
    if (m === null) return [];
    const out: DeviceJson[] = [];
    for (const e of this.#byIp.values()) if (e.device.mac === m) out.push(e.device);
    return out.sort((a, b) => compareIps(a.ip, b.ip));
  }

  /**
   * Merges what a source saw. Publishes `found` for a new device and `updated` when its identity,
   * classification, SNMP status, interface set or sources change (rates and last_seen are quiet).
   * Returns the device as it now is, or null when it is new and the registry is full.
   * @throws RangeError when `o.ip` is not an IP address (callers parse what peers send first).
   */
  observe(o: DeviceObservation): DeviceJson | null {
    const ip = canonicalIp(o.ip);
    if (ip === undefined) throw new RangeError(`not an IP address: ${JSON.stringify(o.ip.slice(0, 64))}`);
    const seenAt = o.seenAt !== undefined && Number.isFinite(o.seenAt) ? o.seenAt : this.#opts.now();
    const seenIso = new Date(seenAt).toISOString();
    let entry = this.#byIp.get(ip);
    const isNew = entry === undefined;
    if (entry === undefined) {
      if (this.#byIp.size >= this.#opts.maxDevices) {
        this.#refused++;
        return null;
      }
      entry = { device: emptyDevice(ip, seenIso), snmpVendor: null };
    }
    const cur = entry.device;
    const next: DeviceJson = { ...cur, snmp: { ...cur.snmp } };

    const mac = o.mac ? normalizeMac(o.mac) : null;
    if (mac !== null) next.mac = mac;
    if (o.system) {
      const sysName = clip(o.system.sysName);
      if (sysName) next.name = sysName;
      next.sys_descr = clip(o.system.sysDescr);
      next.sys_object_id = clip(o.system.sysObjectId);
      next.uptime_s = Number.isFinite(o.system.sysUpTimeCs) ? o.system.sysUpTimeCs / 100 : null;
    }
    if (o.name && next.name === null) next.name = clip(o.name);
    if (o.classification) {
      const c = o.classification;
      next.type = c.type;
      next.type_rule = clip(c.rule);
      next.model = clip(c.model);
      next.os_version = clip(c.osVersion);
      entry.snmpVendor = clip(c.vendor);
    }
    next.vendor = this.#vendorFor(entry, next, cur.mac !== next.mac);
    if (o.snmp) Object.assign(next.snmp, definedOnly(o.snmp));
    if (o.interfaces) next.interfaces = this.#boundedInterfaces(o.interfaces);
    if (o.cpuPct !== undefined) next.cpu_pct = o.cpuPct;
    if (o.memoryPct !== undefined) next.memory_pct = o.memoryPct;
    if (!next.sources.includes(o.source)) next.sources = [...next.sources, o.source];
    if (seenIso > next.last_seen) next.last_seen = seenIso;
    if (seenIso < next.first_seen) next.first_seen = seenIso;

    if (isNew) this.#byIp.set(ip, entry);
    return this.#commit(entry, cur, next, isNew);
  }

  /**
   * Changes a device's poll status alone — a probe nobody answered: no source is added and last_seen stays,
   * for silence is no sighting. Publishes `updated` when the status changes. Returns the device as it now
   * is, or undefined when it is not known.
   */
  setSnmpStatus(ip: string, snmp: Partial<SnmpPollStatus>): DeviceJson | undefined {
    const key = canonicalIp(ip);
    const entry = key === undefined ? undefined : this.#byIp.get(key);
    if (entry === undefined) return undefined;
    const cur = entry.device;
    return this.#commit(entry, cur, { ...cur, snmp: { ...cur.snmp, ...definedOnly(snmp) } }, false);
  }

  /** Keeps `next` in place of `cur` when anything changed; publishes `found` or `updated` for a change people watch. */
  #commit(entry: Entry, cur: DeviceJson, next: DeviceJson, isNew: boolean): DeviceJson {
    const notable = isNew || notableChange(cur, next);
    if (!notable && !anyChange(cur, next)) return cur;
    entry.device = next;
    if (notable) {
      this.#notableChanges++;
      this.#opts.publish({
        kind: "device",
        ts: new Date(this.#opts.now()).toISOString(),
        action: isNew ? "found" : "updated",
        device: next,
      });
    }
    this.#changed(notable);
    return next;
  }

  /**
   * Sets an interface's operational state (linkDown / linkUp traps). Publishes nothing: the trap
   * receiver publishes the `interface` event. Returns the interface as it now is, or undefined when
   * the device or interface is not known.
   */
  setInterfaceStatus(ip: string, ifIndex: number, status: InterfaceStatus): InterfaceJson | undefined {
    const key = canonicalIp(ip);
    const entry = key === undefined ? undefined : this.#byIp.get(key);
    if (entry === undefined) return undefined;
    const at = entry.device.interfaces.findIndex((i) => i.index === ifIndex);
    if (at < 0) return undefined;
    const old = entry.device.interfaces[at];
    if (old.oper_status === status) return old;
    const itf = { ...old, oper_status: status };
    const interfaces = entry.device.interfaces.slice();
    interfaces[at] = itf;
    entry.device = { ...entry.device, interfaces };
    this.#changed(false);
    return itf;
  }

  /** Saves now if anything changed, after any save in progress. Rejects when the write fails. */
  flush(): Promise<void> {
    this.#clearTimer();
    const run = this.#saving.catch(() => {}).then(() => this.#save());
    this.#saving = run;
    return run;
  }

  /** Stops the save timer and saves what is pending. Changes after stop() are saved only by flush(). */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.flush();
  }

  #vendorFor(entry: Entry, next: DeviceJson, macChanged: boolean): string | null {
    if (typeof entry.snmpVendor === "string") return entry.snmpVendor;
    // A loaded device's vendor may be SNMP's: keep it until a classification or a new MAC says otherwise.
    if (entry.snmpVendor === undefined && next.vendor !== null && !macChanged) return next.vendor;
    const mac = next.mac;
    const m = mac ? parseMac(mac) : undefined;
    // A locally administered (randomised) address's first octets name nobody.
    if (m === undefined || !this.#opts.oui || isLocallyAdministered(m)) return null;
    return this.#opts.oui.vendor(mac!);
  }

  #boundedInterfaces(list: InterfaceJson[]): InterfaceJson[] {
    const sorted = list.slice().sort((a, b) => a.index - b.index);
    return sorted.length > this.#opts.maxInterfaces ? sorted.slice(0, this.#opts.maxInterfaces) : sorted;
  }

  #changed(notable: boolean): void {
    this.#dirty = true;
    if (this.#stopped) return;
    const delay = notable ? this.#opts.saveDelayMs : this.#opts.idleSaveDelayMs;
    const due = performance.now() + delay;
    // A pending save that comes sooner already covers this change.
    if (this.#timer !== undefined && this.#timerDue <= due) return;
    this.#clearTimer();
    this.#timerDue = due;
    const timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerDue = Infinity;
      this.flush().catch(() => {}); // #save logged it; the next change or flush retries
    }, delay);
    // A pending save must not keep a finished process alive: stop() saves what is left.
    Deno.unrefTimer(timer as unknown as number);
    this.#timer = timer;
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerDue = Infinity;
  }

  async #save(): Promise<void> {
    if (!this.#dirty) return;
    this.#dirty = false;
    const devices = sortByIp(this.list());
    try {
      await saveRegistryFile(this.#opts.path, devices, this.#opts.now());
    } catch (err) {
      this.#dirty = true;
      this.#saveErrors++;
      log.error("could not save the device registry", { path: this.#opts.path, error: String(err) });
      throw err;
    }
  }
}

function canonicalIp(text: string): string | undefined {
  const p = parseIp(text);
  return p === undefined ? undefined : formatIp(p.family, p.words, 0);
}

/**
 * A device known only by its address: nothing classified, not polled, no sources yet, first and last
 * seen at `seenIso` (ISO 8601). Callers give `ip` in canonical form.
 */
export function emptyDevice(ip: string, seenIso: string): DeviceJson {
  return {
    ip,
    mac: null,
    name: null,
    type: "unknown",
    type_rule: null,
    vendor: null,
    model: null,
    os_version: null,
    sys_descr: null,
    sys_object_id: null,
    uptime_s: null,
    snmp: { status: "not_polled", last_success: null, last_error: null, poll_ms: null },
    interfaces: [],
    cpu_pct: null,
    memory_pct: null,
    sources: [],
    first_seen: seenIso,
    last_seen: seenIso,
  };
}

function clip(s: string | null | undefined): string | null {
  if (s === null || s === undefined) return null;
  return s.length > MAX_TEXT ? s.slice(0, MAX_TEXT) : s;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * A change people watch for: identity, classification, SNMP status, the interface set (each interface's
 * index, name and description, which the network map matches neighbours' ports by), sources.
 */
function notableChange(a: DeviceJson, b: DeviceJson): boolean {
  for (const k of DEVICE_IDENTITY_FIELDS) if (a[k] !== b[k]) return true;
  if (a.snmp.status !== b.snmp.status || a.sources.length !== b.sources.length) return true;
  if (a.interfaces === b.interfaces) return false;
  if (a.interfaces.length !== b.interfaces.length) return true;
  for (let i = 0; i < a.interfaces.length; i++) {
    const x = a.interfaces[i], y = b.interfaces[i];
    if (x.index !== y.index || x.name !== y.name || x.alias !== y.alias) return true;
  }
  return false;
}

/** Any change at all (worth a quiet save). */
function anyChange(a: DeviceJson, b: DeviceJson): boolean {
  return a.interfaces !== b.interfaces || a.uptime_s !== b.uptime_s || a.cpu_pct !== b.cpu_pct ||
    a.memory_pct !== b.memory_pct || a.first_seen !== b.first_seen || a.last_seen !== b.last_seen ||
    a.snmp.last_success !== b.snmp.last_success || a.snmp.last_error !== b.snmp.last_error ||
    a.snmp.poll_ms !== b.snmp.poll_ms;
}
