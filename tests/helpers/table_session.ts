/**
 * An in-memory SnmpSession for unit tests of the pollers: it serves exactly the varbinds the test
 * wrote, with GET, walk and GETBULK semantics of a real agent (OID order, subtree end, maxRows; GETBULK
 * row-major with endOfMibView, RFC 3416 §4.2.3), can answer fewer varbinds than a GETBULK asks, as an
 * agent near its message size does, and can be told to fail a subtree with a given SnmpError.
 */
import type {
  SnmpError,
  SnmpSession,
  SnmpTarget,
  SnmpValue,
  SnmpVarbind,
} from "../../src/snmp/snmp_types.ts";
import { compareOids, oidInSubtree } from "../../src/snmp/snmp_oid.ts";

/** Marks a GETBULK column that reached endOfMibView. */
const END = "";

/** A session over a fixed MIB view. */
export class TableSession implements SnmpSession {
  readonly target: SnmpTarget = {
    ip: "192.0.2.10",
    port: 161,
    credentials: { version: "v2c", community: "public" },
    timeoutMs: 100,
    retries: 0,
  };
  readonly #rows: SnmpVarbind[];
  readonly #failures: [string, SnmpError][] = [];
  readonly #maxResponseVarbinds: number;
  /** Every OID walked or asked for in a GETBULK, in order (tests check which columns crossed the wire). */
  readonly walked: string[] = [];
  /** Every GETBULK: the OIDs and max-repetitions asked. */
  readonly bulks: { oids: string[]; maxRepetitions: number }[] = [];
  /** Every GET: the OIDs asked. */
  readonly gets: string[][] = [];

  /** `maxResponseVarbinds` caps each GETBULK answer, cutting the last row if need be. */
  constructor(varbinds: Iterable<[string, SnmpValue]>, options: { maxResponseVarbinds?: number } = {}) {
    this.#rows = [...varbinds].map(([oid, value]) => ({ oid, value })).sort((a, b) =>
      compareOids(a.oid, b.oid)
    );
    this.#maxResponseVarbinds = options.maxResponseVarbinds ?? Infinity;
  }

  /** Requests of every kind so far. */
  get requests(): number {
    return this.bulks.length + this.gets.length;
  }

  /** Makes every request under `base` reject with `error`. */
  fail(base: string, error: SnmpError): this {
    this.#failures.push([base, error]);
    return this;
  }

  #check(oid: string): void {
    for (const [base, e] of this.#failures) if (oid === base || oidInSubtree(base, oid)) throw e;
  }

  get(oids: readonly string[]): Promise<(SnmpValue | undefined)[]> {
    this.gets.push([...oids]);
    try {
      oids.forEach((o) => this.#check(o));
    } catch (e) {
      return Promise.reject(e);
    }
    return Promise.resolve(oids.map((o) => this.#rows.find((r) => r.oid === o)?.value));
  }

  walk(baseOid: string, maxRows = 100_000): Promise<SnmpVarbind[]> {
    this.walked.push(baseOid);
    try {
      this.#check(baseOid);
    } catch (e) {
      return Promise.reject(e);
    }
    return Promise.resolve(this.#rows.filter((r) => oidInSubtree(baseOid, r.oid)).slice(0, maxRows));
  }

  getBulk(oids: readonly string[], maxRepetitions: number): Promise<(SnmpVarbind | null)[]> {
    this.bulks.push({ oids: [...oids], maxRepetitions });
    this.walked.push(...oids);
    try {
      oids.forEach((o) => this.#check(o));
    } catch (e) {
      return Promise.reject(e);
    }
    const out: (SnmpVarbind | null)[] = [];
    const cursors = [...oids];
    for (let r = 0; r < maxRepetitions; r++) {
      if (cursors.every((c) => c === END)) break; // an agent may stop once every column has ended
      for (let i = 0; i < cursors.length; i++) {
        const next = cursors[i] === END ? undefined : this.#after(cursors[i]);
        cursors[i] = next?.oid ?? END;
        out.push(next ? { ...next } : null);
      }
    }
    return Promise.resolve(out.slice(0, this.#maxResponseVarbinds));
  }

  /** The first varbind after `oid` in the whole view (GETNEXT), by binary search. */
  #after(oid: string): SnmpVarbind | undefined {
    let lo = 0, hi = this.#rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareOids(this.#rows[mid].oid, oid) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return this.#rows[lo];
  }

  close(): void {}
}

/** UTF-8 bytes of a string, as an agent sends an OCTET STRING. */
export function octets(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
