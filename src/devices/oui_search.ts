/**
 * MAC address → manufacturer for a process that asks a few times: `flintnet replay`, whose first alert
 * naming a MAC paid for parsing all 46,000 IEEE assignments (about 130 ms, a sixth of a replay of the
 * benchmark capture) to answer one question. The registry files are read at the first question and each
 * address's prefix is looked for in them, the longest registry first, with the answer the full parse
 * (oui.ts) gives; once `searches` distinct addresses were asked, the full parse is made and answers the
 * rest. A search goes from line to line (a native `indexOf` for each line feed) comparing the line's start
 * with the registry and the prefix (its hex digits in either case, as the parse reads them), and reads the
 * first such row as the parse reads it: a row the parse would skip (no name) is passed over for the next
 * listing. A string is made only for the name found: decoding the 4 MB of files into one cost as much as
 * parsing them.
 */
import { parseMac } from "../net/mod.ts";
import { OuiRegistry, readRegistryFilesSync, REGISTRIES, type VendorLookup } from "./oui.ts";
import { CsvCursor } from "./csv_cursor.ts";

/** Distinct addresses answered by search before the full parse is cheaper. */
const SEARCHES = 32;

/** Options of an {@link OuiSearch}. */
export interface OuiSearchOptions {
  /** Distinct addresses searched for before the registries are parsed whole. @default 32 */
  searches?: number;
}

interface SearchedFile {
  readonly file: string;
  readonly bits: number;
  readonly bytes: Uint8Array;
  /** "MA-L," and the like: what a row of this registry starts with. */
  readonly lead: Uint8Array;
}

const LF = 0x0a, COMMA = 0x2c;
const ENCODER = new TextEncoder();

/** See the module comment. */
export class OuiSearch implements VendorLookup {
  readonly #dir: string;
  readonly #searches: number;
  #files: SearchedFile[] | undefined;
  #full: OuiRegistry | undefined;
  readonly #answers = new Map<string, string | null>();
  readonly #decoder = new TextDecoder();

  constructor(dir = "/usr/share/ieee-data", o: OuiSearchOptions = {}) {
    this.#dir = dir;
    this.#searches = o.searches ?? SEARCHES;
  }

  vendor(mac: string): string | null {
    if (this.#full) return this.#full.vendor(mac);
    const known = this.#answers.get(mac);
    if (known !== undefined) return known;
    const files = this.#files ??= this.#read();
    if (this.#answers.size >= this.#searches) {
      this.#full = OuiRegistry.fromFiles(Object.fromEntries(files.map((f) => [f.file, f.bytes])));
      this.#files = [];
      return this.#full.vendor(mac);
    }
    const answer = this.#search(files, mac);
    this.#answers.set(mac, answer);
    return answer;
  }

  #read(): SearchedFile[] {
    const read = readRegistryFilesSync(this.#dir);
    return REGISTRIES.filter((r) => read[r.file] !== undefined).map((r) => ({
      file: r.file,
      bits: r.bits,
      bytes: read[r.file],
      lead: ENCODER.encode(`${r.registry},`),
    }));
  }

  /** The longest assignment holding `mac`, as OuiRegistry.vendor() finds it. */
  #search(files: SearchedFile[], mac: string): string | null {
    const m = parseMac(mac);
    if (m === undefined) return null;
    for (const bits of [36, 28, 24]) {
      const block = Math.floor(m / 2 ** (48 - bits));
      const prefix = ENCODER.encode(block.toString(16).padStart(bits / 4, "0")); // lower case
      // the registries of one length in the parse's order: the first listing stands
      for (const f of files) {
        if (f.bits !== bits) continue;
        const name = this.#listing(f, prefix, block);
        if (name !== null) return name;
      }
    }
    return null;
  }

  /**
   * The organisation of the first row of `f` assigning `block` (`prefix`: its lower-case hex digits) that the
   * parse keeps, or null. (A row whose registry or assignment is quoted is not found: the IEEE never quotes
   * them.)
   */
  #listing(f: SearchedFile, prefix: Uint8Array, block: number): string | null {
    const b = f.bytes, lead = f.lead, n = b.length, digits = prefix.length;
    for (let at = b.indexOf(LF); at >= 0; at = b.indexOf(LF, at + 1)) {
      const s = at + 1, p = s + lead.length;
      if (p + digits >= n) break;
      let k = 0;
      while (k < lead.length && b[s + k] === lead[k]) k++;
      if (k < lead.length) continue;
      // hex digits in either case: a letter's 0x20 bit is what upper case clears, a digit has it set
      for (k = 0; k < digits && (b[p + k] | 0x20) === prefix[k]; k++);
      if (k < digits || b[p + digits] !== COMMA) continue;
      // the row as the parse reads it, and only what it accepts
      const row = new CsvCursor(b, s);
      if (!row.next() || row.count < 3 || row.hex(1, digits) !== block) continue;
      const org = row.text(2, this.#decoder).trim();
      if (org !== "") return org;
    }
    return null;
  }
}
