/**
 * MAC address → manufacturer, from the IEEE Registration Authority's public listings as Debian's
 * `ieee-data` package ships them (https://standards-oui.ieee.org/): MA-L (oui.csv, 24-bit prefixes),
 * MA-M (mam.csv, 28-bit), MA-S (oui36.csv, 36-bit) and the retired IAB blocks (iab.csv, 36-bit, still on
 * old equipment). Read once (the daemon reads them at the first lookup); never a hand-written table.
 */
import { parseMac } from "../net/mod.ts";
import { CsvCursor } from "./csv_cursor.ts";

/** Which file holds which registry, and how many bits of the address its assignments fix. */
export const REGISTRIES = [
  { file: "oui36.csv", registry: "MA-S", bits: 36 },
  { file: "iab.csv", registry: "IAB", bits: 36 },
  { file: "mam.csv", registry: "MA-M", bits: 28 },
  { file: "oui.csv", registry: "MA-L", bits: 24 },
] as const;

/** How many assignments were read from each registry. */
export interface OuiCounts {
  /** MA-L: 24-bit prefixes. */
  mal: number;
  /** MA-M: 28-bit prefixes. */
  mam: number;
  /** MA-S and IAB: 36-bit prefixes. */
  mas: number;
  /** Rows that were not an assignment of their file's registry (counted, not fatal). */
  skipped: number;
}

/** What needs a MAC's manufacturer sees of the registry. */
export interface VendorLookup {
  /** The organisation the address's prefix is assigned to, or null. */
  vendor(mac: string): string | null;
}

/** The IEEE MAC address registries, looked up by longest prefix. */
export class OuiRegistry implements VendorLookup {
  /** True when none of the registry files could be read (ieee-data is not installed). */
  readonly missing: boolean;
  /** Assignments read, per registry. */
  readonly counts: Readonly<OuiCounts>;
  // Keyed by the prefix as a number: ~46k small entries, and organisation names interned.
  #by36: Map<number, string>;
  #by28: Map<number, string>;
  #by24: Map<number, string>;

  private constructor(
    maps: { by36: Map<number, string>; by28: Map<number, string>; by24: Map<number, string> },
    counts: OuiCounts,
    missing: boolean,
  ) {
    this.#by36 = maps.by36;
    this.#by28 = maps.by28;
    this.#by24 = maps.by24;
    this.counts = counts;
    this.missing = missing;
  }

  /**
   * Reads the registries from `dir`. A missing directory or file is not an error: the registry is
   * empty (or partial) and `missing` says so when nothing could be read.
   */
  static load(dir = "/usr/share/ieee-data"): Promise<OuiRegistry> {
    // Read in one go (parsing them holds the thread far longer anyway, see lazy); an error rejects.
    return new Promise((resolve) => resolve(OuiRegistry.loadSync(dir)));
  }

  /**
   * A lookup that reads the registries (loadSync) at its first call, and whether any registry file is
   * there to read. For the daemon: parsing them takes about 170 ms of main-thread time, which the start
   * would otherwise spend before the API answers; the first vendor is wanted only when a sweep or the
   * capture meets its first device.
   */
  static async lazy(dir = "/usr/share/ieee-data"): Promise<{ lookup: VendorLookup; missing: boolean }> {
    let present = false;
    for (const r of REGISTRIES) {
      present ||= await Deno.stat(`${dir}/${r.file}`).then((s) => s.isFile, () => false);
    }
    let registry: OuiRegistry | undefined;
    return {
      lookup: { vendor: (mac) => (registry ??= OuiRegistry.loadSync(dir)).vendor(mac) },
      missing: !present,
    };
  }

  /** {@link load}, synchronously: for the daemon's first vendor lookup ({@link lazy}). */
  static loadSync(dir = "/usr/share/ieee-data"): OuiRegistry {
    const files = readRegistryFilesSync(dir);
    return OuiRegistry.fromFiles(files, Object.keys(files).length === 0);
  }

  /**
   * A registry from CSV bytes keyed by file name (oui.csv, mam.csv, oui36.csv, iab.csv), read in one pass:
   * a string is made only for an organisation's name (csv_cursor.ts).
   */
  static fromFiles(files: Record<string, Uint8Array>, missing = false): OuiRegistry {
    const maps = { by36: new Map<number, string>(), by28: new Map<number, string>(), by24: new Map() };
    const counts: OuiCounts = { mal: 0, mam: 0, mas: 0, skipped: 0 };
    const names = new Map<string, string>();
    const decoder = new TextDecoder();
    for (const r of REGISTRIES) {
      const bytes = files[r.file];
      if (bytes === undefined) continue;
      const map = r.bits === 36 ? maps.by36 : r.bits === 28 ? maps.by28 : maps.by24;
      const digits = r.bits / 4, registry = new TextEncoder().encode(r.registry);
      const row = new CsvCursor(bytes);
      row.next(); // the header
      while (row.next()) {
        if (row.count < 3) {
          // A blank line is one empty field; anything else short is a broken row.
          if (!(row.count === 1 && row.start[0] === row.end[0])) counts.skipped++;
          continue;
        }
        const prefix = row.hex(1, digits);
        const org = row.equals(0, registry) && prefix >= 0 ? row.text(2, decoder).trim() : "";
        if (org === "") {
          counts.skipped++;
          continue;
        }
        // The IEEE lists a few legacy MA-L prefixes twice; the first listing stands.
        if (map.has(prefix)) continue;
        let name = names.get(org);
        if (name === undefined) names.set(org, name = org);
        map.set(prefix, name);
        if (r.bits === 36) counts.mas++;
        else if (r.bits === 28) counts.mam++;
        else counts.mal++;
      }
    }
    return new OuiRegistry(maps, counts, missing);
  }

  /** Assignments held, all registries together. */
  get size(): number {
    return this.#by36.size + this.#by28.size + this.#by24.size;
  }

  /**
   * The organisation the address's block is assigned to, or null when it is not in the registries
   * (or is not a MAC address). The longest assignment wins: an MA-S block inside an MA-L that the
   * IEEE Registration Authority holds names the MA-S owner.
   *
   * This is the plain registry answer: a locally administered address (see isLocallyAdministered in mac.ts) is
   * looked up like any other, because a few legacy assignments (DECnet's AA-00-04, 3Com's 02-60-8C)
   * have that bit set. Callers that want "unknown" for randomised addresses check it first.
   */
  vendor(mac: string): string | null {
    const m = parseMac(mac);
    if (m === undefined) return null;
    return this.#by36.get(Math.floor(m / 2 ** 12)) ?? this.#by28.get(Math.floor(m / 2 ** 20)) ??
      this.#by24.get(Math.floor(m / 2 ** 24)) ?? null;
  }
}

/** The registry files there are in `dir`, by name; a missing directory or file is left out. */
export function readRegistryFilesSync(dir: string): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  for (const r of REGISTRIES) {
    try {
      files[r.file] = Deno.readFileSync(`${dir}/${r.file}`);
    } catch (err) {
      if (!absent(err)) throw err;
    }
  }
  return files;
}

/** Whether a read failed because the file or its directory is not there (ieee-data not installed). */
function absent(err: unknown): boolean {
  return err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory;
}
