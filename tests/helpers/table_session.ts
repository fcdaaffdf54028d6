/**
 * An in-memory SnmpSession for unit tests of the pollers: it serves exactly the varbinds the test
 * wrote, with GET and walk semantics of a real agent (OID order, subtree end, maxRows), and can be
 * told to fail a subtree with a given SnmpError.
 */
import type {
  SnmpError,
  SnmpSession,
  SnmpTarget,
  SnmpValue,
  SnmpVarbind,
} from "../../src/snmp/snmp_types.ts";
import { compareOids, oidInSubtree } from "../../src/snmp/snmp_oid.ts";

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
  /** Every OID walked, in order (tests check which columns crossed the wire). */
  readonly walked: string[] = [];

  constructor(varbinds: Iterable<[string, SnmpValue]>) {
    this.#rows = [...varbinds].map(([oid, value]) => ({ oid, value })).sort((a, b) =>
      compareOids(a.oid, b.oid)
    );
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

  close(): void {}
}

/** UTF-8 bytes of a string, as an agent sends an OCTET STRING. */
export function octets(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
