/**
 * Who an SNMP agent's sysObjectID says made the box: the IANA Private Enterprise Numbers registry
 * (https://www.iana.org/assignments/enterprise-numbers), as Debian ships it in libwireshark-data:
 * `/usr/share/wireshark/enterprises.tsv`, one `number<TAB>organisation` a line, `#` comments.
 *
 * Read lazily, on the first lookup (most lookups never happen: a definition names the vendor first),
 * and bounded: a file over {@link MAX_REGISTRY_BYTES} is refused, and the ~62,000 entries live in typed
 * arrays over the file's own bytes (about 2.3 MB), each name decoded only when asked for.
 */
import { createLogger } from "../base/mod.ts";

/** enterprises (RFC 1155 / RFC 2578): every vendor's sysObjectID starts with this. */
export const ENTERPRISES_OID = "1.3.6.1.4.1";

/** Where Debian's libwireshark-data puts the registry. */
export const DEFAULT_ENTERPRISES_PATH = "/usr/share/wireshark/enterprises.tsv";

/** The registry was 1.7 MB in 2024 and grows by a few hundred lines a month; 16 MiB is far past that. */
export const MAX_REGISTRY_BYTES = 16 * 1024 * 1024;

/**
 * Numbers whose sysObjectID names the agent software, not who made the box: Net-SNMP (8072) and its
 * UCD-SNMP ancestor (2021), and FreeBSD's bsnmpd (12325, Fraunhofer FOKUS).
 */
const AGENT_SOFTWARE: ReadonlySet<number> = new Set([8072, 2021, 12325]);

/** Anything that can name the organisation behind an enterprise number. */
export interface EnterpriseLookup {
  /** The registered organisation, or null when the number is not registered (or not known here). */
  name(enterprise: number): string | null;
}

/** Why the registry holds what it holds. */
export type RegistryStatus = "not_loaded" | "loaded" | "missing" | "too_large" | "unreadable";

const log = createLogger("classify");

/** The IANA enterprise registry from a file, loaded on first use. */
export class EnterpriseRegistry implements EnterpriseLookup {
  readonly #path: string;
  readonly #maxBytes: number;
  #status: RegistryStatus = "not_loaded";
  #bytes: Uint8Array = new Uint8Array(0);
  #numbers = new Uint32Array(0);
  #starts = new Uint32Array(0);
  #ends = new Uint32Array(0);
  #skipped = 0;

  /** @param path the registry file. @param maxBytes a larger file is refused (not read). */
  constructor(path = DEFAULT_ENTERPRISES_PATH, maxBytes = MAX_REGISTRY_BYTES) {
    this.#path = path;
    this.#maxBytes = maxBytes;
  }

  /** How loading went ("not_loaded" until the first lookup). */
  get status(): RegistryStatus {
    return this.#status;
  }

  /** Entries held. */
  get size(): number {
    this.#load();
    return this.#numbers.length;
  }

  /** Lines that were neither comments, blank, nor `number<space>name` (counted, not fatal). */
  get skipped(): number {
    this.#load();
    return this.#skipped;
  }

  name(enterprise: number): string | null {
    this.#load();
    const i = search(this.#numbers, enterprise);
    if (i < 0) return null;
    return cleanName(new TextDecoder().decode(this.#bytes.subarray(this.#starts[i], this.#ends[i])));
  }

  #load(): void {
    if (this.#status !== "not_loaded") return;
    try {
      const size = Deno.statSync(this.#path).size;
      if (size > this.#maxBytes) {
        this.#status = "too_large";
        log.warn(
          `IANA enterprise registry ${this.#path} is ${size} bytes, over the ${this.#maxBytes} accepted; ` +
            "vendors of products no definition knows come from their MAC address only",
        );
        return;
      }
      this.#index(Deno.readFileSync(this.#path));
      this.#status = "loaded";
    } catch (err) {
      this.#status = err instanceof Deno.errors.NotFound ? "missing" : "unreadable";
      log.warn(
        `IANA enterprise registry ${this.#path} is ${
          this.#status === "missing" ? "missing" : "unreadable"
        } ` +
          "(Debian package libwireshark-data); vendors of products no definition knows come from their " +
          "MAC address only",
        this.#status === "missing" ? {} : { error: err },
      );
    }
  }

  /** Finds each `number<space>name` line; keeps offsets into the file's bytes, not strings. */
  #index(b: Uint8Array): void {
    let lines = 1;
    for (let i = b.indexOf(LF); i >= 0; i = b.indexOf(LF, i + 1)) lines++;
    const numbers = new Uint32Array(lines), starts = new Uint32Array(lines), ends = new Uint32Array(lines);
    let count = 0, skipped = 0, sorted = true;
    let from = 0;
    while (from < b.length) {
      let to = b.indexOf(LF, from);
      if (to < 0) to = b.length;
      const next = to + 1;
      if (to > from && b[to - 1] === CR) to--;
      let i = from;
      while (i < to && (b[i] === SPACE || b[i] === TAB)) i++;
      if (i < to && b[i] !== HASH) {
        // `number<space or tab>name`; the name ends at a tab (Wireshark appends "\t# formerly …").
        let n = 0;
        const digits = i;
        while (i < to && b[i] >= ZERO && b[i] <= NINE && i - digits < 10) n = n * 10 + (b[i++] - ZERO);
        const gap = i;
        while (i < to && (b[i] === SPACE || b[i] === TAB)) i++;
        let stop = i;
        while (stop < to && b[stop] !== TAB) stop++;
        while (stop > i && b[stop - 1] === SPACE) stop--;
        if (gap === digits || gap === i || n > 0xffffffff || stop === i) skipped++;
        else {
          if (count > 0 && n <= numbers[count - 1]) sorted = false;
          numbers[count] = n;
          starts[count] = i;
          ends[count] = stop;
          count++;
        }
      }
      from = next;
    }
    if (!sorted) {
      const order = Array.from({ length: count }, (_, k) => k).sort((x, y) =>
        numbers[x] - numbers[y] || x - y
      );
      this.#numbers = Uint32Array.from(order, (k) => numbers[k]);
      this.#starts = Uint32Array.from(order, (k) => starts[k]);
      this.#ends = Uint32Array.from(order, (k) => ends[k]);
    } else {
      this.#numbers = numbers.slice(0, count);
      this.#starts = starts.slice(0, count);
      this.#ends = ends.slice(0, count);
    }
    this.#bytes = b;
    this.#skipped = skipped;
  }
}

const LF = 0x0a, CR = 0x0d, TAB = 0x09, SPACE = 0x20, HASH = 0x23, ZERO = 0x30, NINE = 0x39;

/** Index of `n` in the sorted array, or -1. */
function search(a: Uint32Array, n: number): number {
  let lo = 0, hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] === n) return mid;
    if (a[mid] < n) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Drops the contact URLs a few registrants put in their name ("IBM (https://w3.ibm.com/standards )"). */
function cleanName(raw: string): string | null {
  const name = raw.replace(/\s*\((?:https?:|www\.)[^)]*\)/gi, "").replace(/\s+/g, " ").trim();
  return name === "" ? null : name;
}

let shared: EnterpriseRegistry | undefined;

/** The registry at the Debian path, created on first call (nothing is read until a lookup needs it). */
export function defaultEnterpriseRegistry(): EnterpriseRegistry {
  return shared ??= new EnterpriseRegistry();
}

/** The enterprise number of a sysObjectID under 1.3.6.1.4.1, else null (leading dot tolerated). */
export function enterpriseOf(sysObjectId: string): number | null {
  const oid = sysObjectId.startsWith(".") ? sysObjectId.slice(1) : sysObjectId;
  if (!oid.startsWith(ENTERPRISES_OID + ".")) return null;
  const arc = oid.slice(ENTERPRISES_OID.length + 1).split(".", 1)[0];
  if (!/^\d{1,10}$/.test(arc)) return null;
  const n = Number(arc);
  return n <= 0xffffffff ? n : null;
}

/**
 * The organisation a sysObjectID's enterprise number is registered to, or null for numbers outside the
 * registry and for the numbers of agent software (Net-SNMP, UCD-SNMP, bsnmpd).
 */
export function enterpriseVendor(sysObjectId: string, registry: EnterpriseLookup): string | null {
  const n = enterpriseOf(sysObjectId);
  if (n === null || AGENT_SOFTWARE.has(n)) return null;
  return registry.name(n);
}

/** Whether `oid` is `prefix` or lies below it (dotted, leading dot tolerated on both). */
export function oidUnder(oid: string, prefix: string): boolean {
  const a = oid.startsWith(".") ? oid.slice(1) : oid;
  const p = prefix.startsWith(".") ? prefix.slice(1) : prefix;
  return a === p || a.startsWith(p + ".");
}
