/**
 * An {@link SnmpSession} over npm:net-snmp: promises instead of callbacks, values converted to the
 * shapes of snmp_types.ts, and every failure turned into an {@link SnmpError} with a category and a
 * message in words. What a peer sends can never throw out of the socket handler: a datagram net-snmp
 * cannot parse is remembered and reported as `malformed` when the request would otherwise time out.
 */
import {
  SnmpError,
  type SnmpSession,
  type SnmpTarget,
  type SnmpValue,
  type SnmpVarbind,
} from "./snmp_types.ts";
import { compareOids, oidInSubtree } from "./snmp_oid.ts";
import { ensureUsmPrivacy } from "./usm_privacy.ts";
import { loadNetSnmp, netSnmp } from "./net_snmp.ts";

/** Varbinds a walk keeps at most unless told otherwise, so a huge or hostile table stays bounded. */
export const DEFAULT_MAX_ROWS = 100_000;

/** max-repetitions of each GETBULK (RFC 3416 §4.2.3): large enough to be quick, small enough to fit 1500 bytes. */
const MAX_REPETITIONS = 25;

/** The largest max-repetitions a GETBULK PDU can carry (RFC 3416 §3: INTEGER (0..max-bindings)). */
const MAX_REPETITIONS_FIELD = 2_147_483_647;

/** An agent answered error-status tooBig (RFC 3416 §4.2.3) to a GETBULK that could ask for fewer. */
const TOO_BIG = Symbol("tooBig");

/** net-snmp's ObjectType codes (RFC 2578 application types and RFC 3416 exceptions). */
function objectTypes(): Record<string, number> {
  return netSnmp().ObjectType;
}

// USM statistics report names (RFC 3414 §5, usmStats*) as net-snmp words them → our words.
const USM_WORDS: Record<string, string> = {
  "Unsupported Security Level": "unsupported security level",
  "Not In Time Window": "not in time window",
  "Unknown User Name": "unknown user name",
  "Unknown Engine ID": "unknown engine id",
  "Wrong Digest (incorrect password, community or key)": "wrong digest (wrong authentication key)",
  "Decryption Error": "decryption error (wrong privacy key)",
};

/** Creates a session for one agent. Throws a RangeError for a target no request could be sent to. */
export function createSnmpSession(target: SnmpTarget): SnmpSession {
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) {
    throw new RangeError(`SNMP port ${target.port} is not valid; accepted: 1–65535`);
  }
  if (!Number.isFinite(target.timeoutMs) || target.timeoutMs < 1) {
    throw new RangeError(
      `SNMP timeout ${target.timeoutMs} ms is not valid; accepted: a positive number of ms`,
    );
  }
  if (!Number.isInteger(target.retries) || target.retries < 0) {
    throw new RangeError(`SNMP retries ${target.retries} is not valid; accepted: a whole number ≥ 0`);
  }
  return new NetSnmpSession(target);
}

/** A pending request, so a crash inside net-snmp's message handler can still settle it. */
interface Pending {
  reject(e: SnmpError): void;
}

// deno-lint-ignore no-explicit-any
type Raw = any;

class NetSnmpSession implements SnmpSession {
  readonly target: SnmpTarget;
  #raw: Raw;
  #closed = false;
  #pending = new Set<Pending>();
  /** Why the last unparseable datagram was rejected; reported instead of a plain timeout. */
  #garbage: string | null = null;

  constructor(target: SnmpTarget) {
    this.target = target;
  }

  /** Opens net-snmp's session: on the first request, once net-snmp is loaded (see net_snmp.ts). */
  #open(): void {
    const snmp = netSnmp(), target = this.target;
    const options = {
      port: target.port,
      retries: target.retries,
      timeout: target.timeoutMs,
      backoff: 1,
      transport: target.ip.includes(":") ? "udp6" : "udp4",
      version: target.credentials.version === "v3" ? snmp.Version3 : snmp.Version2c,
      // Out-of-range integers in a response are a peer's problem: count them as malformed, do not trust them.
      strictIntRangeChecks: true,
    };
    const c = target.credentials;
    if (c.version === "v3") {
      if (c.privProtocol !== "none") ensureUsmPrivacy();
      const user = {
        name: c.user,
        level: c.privProtocol === "none" ? snmp.SecurityLevel.authNoPriv : snmp.SecurityLevel.authPriv,
        authProtocol: snmp.AuthProtocols[c.authProtocol],
        authKey: c.authKey,
        privProtocol: snmp.PrivProtocols[c.privProtocol],
        privKey: c.privKey,
      };
      this.#raw = snmp.createV3Session(target.ip, user, options);
    } else {
      this.#raw = snmp.createSession(target.ip, c.community, options);
    }
    // net-snmp emits "error" for a datagram it cannot parse; without a listener the emitter would throw.
    this.#raw.on("error", (e: unknown) => {
      this.#garbage = describeParseError(e);
    });
    // Anything else net-snmp throws while handling a datagram must not escape the socket callback either.
    const dgram = this.#raw.dgram;
    dgram.removeAllListeners("message");
    dgram.on("message", (buffer: Uint8Array, rinfo: unknown) => {
      try {
        this.#raw.onMsg(buffer, rinfo);
      } catch (e) {
        this.#garbage = describeParseError(e);
        // The request it answered may already be unregistered: settle every pending one rather than hang.
        for (const p of [...this.#pending]) p.reject(this.#malformed());
      }
    });
    dgram.on("error", () => {/* send errors reach the request callbacks */});
  }

  get(oids: readonly string[]): Promise<(SnmpValue | undefined)[]> {
    return this.#request<(SnmpValue | undefined)[]>((done) => {
      this.#raw.get([...oids], (err: unknown, varbinds: RawVarbind[]) => {
        if (err) return done(err);
        if (!Array.isArray(varbinds) || varbinds.length !== oids.length) {
          return done(
            new SnmpError("malformed", `malformed response: ${oids.length} objects asked, got another count`),
          );
        }
        const out: (SnmpValue | undefined)[] = [];
        for (const vb of varbinds) out.push(isException(vb.type) ? undefined : convertValue(vb));
        done(null, out);
      });
    }, oids);
  }

  async walk(baseOid: string, maxRows = DEFAULT_MAX_ROWS): Promise<SnmpVarbind[]> {
    if (!Number.isInteger(maxRows) || maxRows < 1) {
      throw new RangeError(`walk maxRows ${maxRows} is not valid; accepted: a whole number ≥ 1`);
    }
    const rows: SnmpVarbind[] = [];
    let cursor = baseOid;
    while (rows.length < maxRows) {
      const batch = await this.getBulk([cursor], Math.min(MAX_REPETITIONS, maxRows - rows.length));
      if (batch.length === 0) return rows;
      for (const vb of batch) {
        if (vb === null || !oidInSubtree(baseOid, vb.oid)) return rows;
        // An agent that answers an OID not after the one asked would make the walk loop forever.
        if (compareOids(vb.oid, cursor) <= 0) {
          throw new SnmpError(
            "malformed",
            `malformed response: the agent returned ${vb.oid} after ${cursor} while walking ${baseOid} (not increasing)`,
          );
        }
        rows.push(vb);
        cursor = vb.oid;
        if (rows.length >= maxRows) return rows;
      }
    }
    return rows;
  }

  async getBulk(oids: readonly string[], maxRepetitions: number): Promise<(SnmpVarbind | null)[]> {
    if (oids.length === 0) throw new RangeError("getBulk needs at least one OID");
    if (!Number.isInteger(maxRepetitions) || maxRepetitions < 1 || maxRepetitions > MAX_REPETITIONS_FIELD) {
      throw new RangeError(
        `getBulk maxRepetitions ${maxRepetitions} is not valid; accepted: 1–${MAX_REPETITIONS_FIELD}`,
      );
    }
    let reps = maxRepetitions;
    for (;;) {
      const columns = await this.#bulk(oids, reps);
      if (columns !== TOO_BIG) return rowMajor(columns, oids.length, reps);
      // RFC 3416 §4.2.3 says an agent should send fewer repetitions instead; some answer tooBig.
      reps = Math.floor(reps / 2);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#raw?.close();
    } catch { /* already closed */ }
  }

  /** One GETBULK; net-snmp groups the answer by OID asked. TOO_BIG when the agent says so and fewer may fit. */
  #bulk(oids: readonly string[], reps: number): Promise<RawVarbind[][] | typeof TOO_BIG> {
    return this.#request<RawVarbind[][] | typeof TOO_BIG>((done) => {
      this.#raw.getBulk([...oids], 0, reps, (err: unknown, varbinds: RawVarbind[][]) => {
        if (err) {
          const status = (err as { name?: string; status?: number }).status;
          const tooBig = (err as { name?: string }).name === "RequestFailedError" &&
            status === netSnmp().ErrorStatus.TooBig;
          return tooBig && reps > 1 ? done(null, TOO_BIG) : done(err);
        }
        done(null, Array.isArray(varbinds) ? varbinds : []);
      });
    }, oids);
  }

  /** Runs one net-snmp call as a promise that settles exactly once, with a watchdog against lost callbacks. */
  #request<R>(
    start: (done: (err: unknown, result?: R) => void) => void,
    oids: readonly string[],
  ): Promise<R> {
    if (this.#closed) return Promise.reject(new SnmpError("error", "the SNMP session is closed"));
    if (this.#raw === undefined) {
      return loadNetSnmp().then(() => {
        if (this.#raw === undefined && !this.#closed) {
          try {
            this.#open();
          } catch (e) {
            throw this.#toSnmpError(e, oids);
          }
        }
        return this.#request(start, oids);
      });
    }
    this.#garbage = null;
    return new Promise<R>((resolve, reject) => {
      let settled = false;
      const tries = this.target.retries + 1;
      // v3 spends up to one round of tries on engine discovery before the request itself.
      const rounds = this.target.credentials.version === "v3" ? 3 : 1;
      const watchdog = setTimeout(
        () => finish(new SnmpError("timeout", this.#timeoutWords())),
        this.target.timeoutMs * tries * rounds + 1000,
      );
      const pending: Pending = { reject: (e) => finish(e) };
      const finish = (err: unknown, result?: R) => {
        if (settled) return;
        settled = true;
        clearTimeout(watchdog);
        this.#pending.delete(pending);
        if (err) reject(this.#toSnmpError(err, oids));
        else resolve(result as R);
      };
      this.#pending.add(pending);
      try {
        start(finish);
      } catch (e) {
        finish(e);
      }
    });
  }

  #malformed(): SnmpError {
    return new SnmpError(
      "malformed",
      `malformed response from ${this.#endpoint()}: ${this.#garbage ?? "unparseable"}; no valid answer`,
    );
  }

  #endpoint(): string {
    return this.target.ip.includes(":")
      ? `[${this.target.ip}]:${this.target.port}`
      : `${this.target.ip}:${this.target.port}`;
  }

  #timeoutWords(): string {
    const tries = this.target.retries + 1;
    return `timeout after ${this.target.timeoutMs} ms × ${tries} ${tries === 1 ? "try" : "tries"}`;
  }

  #toSnmpError(e: unknown, oids: readonly string[]): SnmpError {
    if (e instanceof SnmpError) return e;
    const err = e as { name?: string; message?: string; code?: unknown; status?: number };
    const msg = String(err?.message ?? e);
    switch (err?.name) {
      case "RequestTimedOutError":
        if (this.#garbage !== null) {
          return new SnmpError(
            "malformed",
            `malformed response from ${this.#endpoint()}: ${this.#garbage} (no valid answer: ${this.#timeoutWords()})`,
          );
        }
        return new SnmpError("timeout", this.#timeoutWords());
      case "ResponseInvalidError":
        return responseInvalid(msg, err.code as number);
      case "RequestFailedError": {
        const codes = netSnmp().ErrorStatus;
        const status = codes[err.status ?? 5] as string | undefined ?? "GeneralError";
        if (err.status === codes.NoSuchName) {
          return new SnmpError("no_such_object", `no such object ${oids.join(", ")}`);
        }
        return new SnmpError("error", `the agent answered error-status ${lowerFirst(status)} (${msg})`);
      }
    }
    if (typeof err?.code === "string") {
      if (err.code === "ECONNREFUSED") {
        return new SnmpError("refused", `port ${this.#endpoint()} refused (closed)`);
      }
      return new SnmpError("error", `socket error ${err.code}: ${msg}`);
    }
    return new SnmpError("error", msg);
  }
}

/** A varbind as net-snmp hands it over. */
interface RawVarbind {
  oid: string;
  type: number;
  value: unknown;
}

/**
 * net-snmp's per-OID groups → the response's own row-major order, `null` for exceptions (endOfMibView;
 * noSuchObject/noSuchInstance do not belong in a GETBULK answer and end the column the same way). At most
 * `n × reps` varbinds are kept, and a ragged answer is cut at its first gap.
 */
function rowMajor(groups: RawVarbind[][], n: number, reps: number): (SnmpVarbind | null)[] {
  const out: (SnmpVarbind | null)[] = [];
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < n; i++) {
      const vb = Array.isArray(groups[i]) ? groups[i][r] : undefined;
      if (vb === undefined || typeof vb?.oid !== "string") return out;
      out.push(isException(vb.type) ? null : { oid: vb.oid, value: convertValue(vb) });
    }
  }
  return out;
}

function isException(type: number): boolean {
  const T = objectTypes();
  return type === T.NoSuchObject || type === T.NoSuchInstance || type === T.EndOfMibView;
}

/** net-snmp's value → {@link SnmpValue}; Buffers become plain Uint8Arrays, Counter64 a bigint. */
function convertValue(vb: RawVarbind): SnmpValue {
  const v = vb.value, T = objectTypes();
  switch (vb.type) {
    case T.Counter64:
      return v instanceof Uint8Array ? bytesToBigint(v) : typeof v === "number" ? BigInt(v) : 0n;
    case T.OctetString:
    case T.Opaque:
    case T.BitString:
      return v instanceof Uint8Array ? new Uint8Array(v) : new TextEncoder().encode(String(v ?? ""));
    case T.Boolean:
      return v ? 1 : 0;
    case T.OID:
    case T.IpAddress:
      return String(v);
    case T.Null:
      return null;
    default:
      return typeof v === "number" ? v : null;
  }
}

/** Unsigned big-endian bytes → bigint (Counter64 is unsigned, RFC 2578 §7.1.10). */
export function bytesToBigint(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

function responseInvalid(msg: string, code: number): SnmpError {
  const C = netSnmp().ResponseInvalidCode as Record<string, number>;
  if (code === C.EAuthFailure) {
    const words = USM_WORDS[msg];
    if (words) return new SnmpError("auth_failure", `auth failure: ${words}`);
    // net-snmp's own digest check of a response (its message carries digests: not repeated here).
    return new SnmpError(
      "auth_failure",
      "auth failure: the response's digest does not match (wrong authentication key)",
    );
  }
  if (code === C.ECouldNotDecrypt) {
    return new SnmpError("auth_failure", "auth failure: could not decrypt the response (wrong privacy key)");
  }
  if (code === C.ENotInTimeWindow) return new SnmpError("auth_failure", "auth failure: not in time window");
  // Not the message itself: net-snmp puts the community of both sides into ECommunityNoMatch's.
  const name = (netSnmp().ResponseInvalidCode[code] as string | undefined) ?? "EUnknown";
  const words: Record<string, string> = {
    EIp4AddressSize: "an IpAddress that is not 4 bytes",
    EUnknownObjectType: "an unknown value type",
    EUnknownPduType: "an unknown PDU type",
    EReqResOidNoMatch: "OIDs that do not match the request",
    EOutOfOrder: "OIDs out of order",
    EVersionNoMatch: "a different SNMP version",
    ECommunityNoMatch: "a different community",
    EUnexpectedReport: "an unexpected report",
    EBadVarbindList: "a broken varbind list",
  };
  return new SnmpError("malformed", `malformed response: ${words[name] ?? name}`);
}

function describeParseError(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  // Keep it short and free of whatever the peer sent.
  return `could not decode it (${m.slice(0, 120)})`;
}

function lowerFirst(s: string): string {
  return s.length === 0 ? s : s[0].toLowerCase() + s.slice(1);
}
