/**
 * Who a neighbour is. Known devices are found by management address, LLDP chassis ID, system name or
 * MAC, in that order of trust; what matches none becomes a placeholder, and reports about the same
 * unknown system (from its two neighbours, over LLDP from one and CDP from the other) become one
 * placeholder when they share any identifier.
 */
import type { DeviceKeys } from "./device_keys.ts";
import { nameKey, type RemoteSystem } from "./neighbour.ts";

/** What a polled device says about itself (LLDP local system data, CDP global device ID). */
export interface OwnIdentity {
  /** Its LLDP chassis IDs, kind:value. */
  chassisIds: readonly string[];
  /** Its LLDP system name and CDP device ID. */
  names: readonly string[];
}

/** Flintnet's own box, the far end of every neighbour seen in capture. */
export interface SelfIdentity {
  /** Its host name. */
  name: string;
  /** The capture interface's IPv4 address, when it has one. */
  ip: string | null;
}

/** The id of Flintnet's own node when it has no address. */
export const SELF_ID = "flintnet";

/** A placeholder: a neighbour no device matched. */
export interface Placeholder {
  /** Its node id. */
  id: string;
  /** Every remote that makes it up. */
  remotes: RemoteSystem[];
  /** The MACs it is known by (MAC chassis and port IDs). */
  macs: string[];
}

const AMBIGUOUS = "";

/**
 * Maps identifiers to node ids: the registry's devices through their {@link DeviceKeys} (kept between
 * builds), what polled devices say about themselves in maps of this build.
 */
export class NodeIndex {
  readonly #devices: DeviceKeys;
  readonly #selfIp: string | null;
  readonly #chassis = new Map<string, string>();
  /** The names polled devices give themselves; a name also a device's is resolved with it (#nameOf). */
  readonly #ownName = new Map<string, string>();
  readonly selfId: string;
  /** Unmatched remotes, grouped as they are added; see {@link placeholders}. */
  readonly #parent = new Map<string, string>();
  readonly #pending: { remote: RemoteSystem; ids: string[] }[] = [];

  constructor(devices: DeviceKeys, own: ReadonlyMap<string, OwnIdentity>, self: SelfIdentity) {
    this.#devices = devices;
    for (const [ip, o] of own) {
      for (const c of o.chassisIds) this.#addUnique(this.#chassis, c, ip);
      for (const n of o.names) if (n) this.#addUnique(this.#ownName, nameKey(n), ip);
    }
    // A device at Flintnet's own address is Flintnet's node, under the same id.
    this.#selfIp = self.ip;
    this.selfId = self.ip ?? SELF_ID;
  }

  /** The node of a known device (or Flintnet itself) `remote` names, else undefined. */
  known(remote: RemoteSystem): string | undefined {
    for (const a of remote.addresses) {
      if (a && (a === this.#selfIp || this.#devices.has(a))) return a;
    }
    if (remote.chassisId) {
      const id = this.#chassis.get(remote.chassisId) ?? this.byMac(macOfChassis(remote.chassisId) ?? "");
      if (id) return id;
    }
    if (remote.name) {
      const id = this.#nameOf(nameKey(remote.name));
      if (id) return id;
    }
    for (const m of remote.macs) {
      const id = this.byMac(m);
      if (id) return id;
    }
    return undefined;
  }

  /** The node of a known device with this MAC, else undefined. */
  byMac(mac: string): string | undefined {
    return this.#devices.byMac(mac);
  }

  /** The one node with this name key among devices' names and the names polled devices give themselves. */
  #nameOf(key: string): string | undefined {
    const own = this.#ownName.get(key);
    if (own === undefined) return this.#devices.byName(key);
    if (own === AMBIGUOUS || this.#devices.nameShared(key)) return undefined;
    const device = this.#devices.byName(key);
    return device === undefined || device === own ? own : undefined;
  }

  /** The node `remote` is: a known one, or the placeholder it joins (its id is final only after all are added). */
  resolve(remote: RemoteSystem): { known: string } | { pending: number } | null {
    const known = this.known(remote);
    if (known) return { known };
    const ids = identifiers(remote);
    if (ids.length === 0) return null;
    for (const id of ids) if (!this.#parent.has(id)) this.#parent.set(id, id);
    for (let i = 1; i < ids.length; i++) this.#union(ids[0], ids[i]);
    this.#pending.push({ remote, ids });
    return { pending: this.#pending.length - 1 };
  }

  /**
   * The placeholders of every remote resolve() could not match, and for each pending number its
   * placeholder's id. A placeholder's id is its lowest management address, else its chassis ID, its
   * name or its MAC (with that prefix): the same whatever order the reports came in.
   */
  placeholders(): { list: Placeholder[]; idOf: string[] } {
    const groups = new Map<string, { ids: Set<string>; remotes: RemoteSystem[] }>();
    const rootOf: string[] = [];
    for (const p of this.#pending) {
      const root = this.#find(p.ids[0]);
      rootOf.push(root);
      let g = groups.get(root);
      if (!g) groups.set(root, g = { ids: new Set(), remotes: [] });
      for (const id of p.ids) g.ids.add(id);
      g.remotes.push(p.remote);
    }
    const idOfRoot = new Map<string, string>();
    const list: Placeholder[] = [];
    for (const [root, g] of groups) {
      const ids = [...g.ids];
      const id = placeholderId(ids);
      idOfRoot.set(root, id);
      const macs = ids.flatMap((i) =>
        i.startsWith("mac:") ? [i.slice(4)] : i.startsWith("chassis:mac:") ? [i.slice(12)] : []
      );
      list.push({ id, remotes: g.remotes, macs: [...new Set(macs)] });
    }
    return { list, idOf: rootOf.map((r) => idOfRoot.get(r)!) };
  }

  #addUnique(map: Map<string, string>, key: string, ip: string): void {
    const was = map.get(key);
    map.set(key, was === undefined || was === ip ? ip : AMBIGUOUS);
  }

  #find(x: string): string {
    let r = x;
    while (this.#parent.get(r) !== r) r = this.#parent.get(r)!;
    for (let y = x; y !== r;) {
      const next = this.#parent.get(y)!;
      this.#parent.set(y, r);
      y = next;
    }
    return r;
  }

  #union(a: string, b: string): void {
    const ra = this.#find(a), rb = this.#find(b);
    if (ra !== rb) this.#parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
}

/** "mac:00:a7:…" → the MAC; null for other chassis kinds. */
function macOfChassis(chassisId: string): string | null {
  return chassisId.startsWith("mac:") ? chassisId.slice(4) : null;
}

/** Everything a remote can be recognised by, each with a prefix saying what it is. */
function identifiers(r: RemoteSystem): string[] {
  const out = r.addresses.map((a) => `ip:${a}`);
  if (r.chassisId) out.push(`chassis:${r.chassisId}`);
  if (r.name) out.push(`name:${nameKey(r.name)}`);
  for (const m of r.macs) out.push(`mac:${m}`);
  return out;
}

/** The id of a placeholder from its identifiers: an address bare (as a device's id), else prefixed. */
function placeholderId(ids: string[]): string {
  for (const prefix of ["ip:", "chassis:", "name:", "mac:"]) {
    const mine = ids.filter((i) => i.startsWith(prefix)).sort();
    if (mine.length) return prefix === "ip:" ? mine[0].slice(3) : mine[0];
  }
  return ids.sort()[0];
}
