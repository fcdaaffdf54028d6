/**
 * The registry's devices as the map looks them up: by address, by MAC and by system name (its
 * {@link nameKey}). Kept from one build of the map to the next and brought up to date by comparing each
 * device with the one indexed (the registry replaces a device when it changes, never mutates it), so a
 * build re-keys only the devices that changed. Building these maps afresh for every build took most of
 * it on a large network: 65,536 devices cost 65–150 ms a build, every 5 s (the name keys' regular
 * expressions, three maps of 65,536 entries and their garbage).
 */
import type { DeviceJson } from "../events/mod.ts";
import { nameKey } from "./neighbour.ts";

/** Keys held by one device, and by several (then they name nobody: the map cannot tell which). */
class SharedKeys {
  readonly #one = new Map<string, string>();
  readonly #many = new Map<string, Set<string>>();

  /** The device holding `key` alone, else undefined. */
  get(key: string): string | undefined {
    return this.#many.has(key) ? undefined : this.#one.get(key);
  }

  /** Whether several devices hold `key`. */
  shared(key: string): boolean {
    return this.#many.has(key);
  }

  add(key: string, ip: string): void {
    const many = this.#many.get(key);
    if (many) {
      many.add(ip);
      return;
    }
    const was = this.#one.get(key);
    if (was === undefined || was === ip) {
      this.#one.set(key, ip);
      return;
    }
    this.#one.delete(key);
    this.#many.set(key, new Set([was, ip]));
  }

  delete(key: string, ip: string): void {
    const many = this.#many.get(key);
    if (!many) {
      if (this.#one.get(key) === ip) this.#one.delete(key);
      return;
    }
    many.delete(ip);
    if (many.size > 1) return;
    this.#many.delete(key);
    for (const last of many) this.#one.set(key, last);
  }
}

/** See the module comment. */
export class DeviceKeys {
  /** Each device as last indexed, and the sync that last saw it. */
  readonly #byIp = new Map<string, { device: DeviceJson; seen: number }>();
  readonly #mac = new SharedKeys();
  readonly #name = new SharedKeys();
  #syncs = 0;

  /** An index of `devices` (for tests and one-off builds). */
  static of(devices: Iterable<DeviceJson>): DeviceKeys {
    const keys = new DeviceKeys();
    keys.sync(devices);
    return keys;
  }

  /**
   * Brings the index up to `devices` (every device of the registry): a device that is the same object as
   * the one indexed costs one lookup; a changed one is re-keyed; one no longer there leaves.
   */
  sync(devices: Iterable<DeviceJson>): void {
    const sync = ++this.#syncs;
    let count = 0;
    for (const d of devices) {
      count++;
      const e = this.#byIp.get(d.ip);
      if (e === undefined) {
        this.#byIp.set(d.ip, { device: d, seen: sync });
        this.#key(d);
        continue;
      }
      e.seen = sync;
      if (e.device === d) continue;
      if (e.device.mac !== d.mac || e.device.name !== d.name) {
        this.#unkey(e.device);
        this.#key(d);
      }
      e.device = d;
    }
    if (count === this.#byIp.size) return;
    for (const [ip, e] of this.#byIp) {
      if (e.seen === sync) continue;
      this.#unkey(e.device);
      this.#byIp.delete(ip);
    }
  }

  /** The device at this address (as the registry writes it), if indexed. */
  get(ip: string): DeviceJson | undefined {
    return this.#byIp.get(ip)?.device;
  }

  has(ip: string): boolean {
    return this.#byIp.has(ip);
  }

  /** Devices indexed. */
  get size(): number {
    return this.#byIp.size;
  }

  /** The address of the one device with this MAC; undefined when none or several have it. */
  byMac(mac: string): string | undefined {
    return this.#mac.get(mac);
  }

  /** The address of the one device with this name key; undefined when none or several have it. */
  byName(key: string): string | undefined {
    return this.#name.get(key);
  }

  /** Whether several devices have this name key. */
  nameShared(key: string): boolean {
    return this.#name.shared(key);
  }

  #key(d: DeviceJson): void {
    if (d.mac) this.#mac.add(d.mac, d.ip);
    if (d.name) this.#name.add(nameKey(d.name), d.ip);
  }

  #unkey(d: DeviceJson): void {
    if (d.mac) this.#mac.delete(d.mac, d.ip);
    if (d.name) this.#name.delete(nameKey(d.name), d.ip);
  }
}
