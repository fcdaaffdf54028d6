/**
 * What DNS told us, bounded: each host's recent queries (with the answers they got), and which name each
 * answered address belongs to for as long as its TTL says (at least {@link MIN_HOLD_S}: clients keep using
 * an address briefly past a short TTL). Filled from parsed messages on the slow path; the address map is
 * keyed by the IPv4 address as a number (IPv6 as text), so naming a flow allocates nothing for IPv4.
 */
import { type DnsMessage, DnsType } from "../decode/mod.ts";
import { formatIpv6 } from "../net/mod.ts";

/** An answered address names its flows for at least this long, seconds. */
export const MIN_HOLD_S = 60;

/** Bounds of the book. */
export interface DnsBookLimits {
  /** Hosts whose queries are kept (the least recently active is dropped first). @default 4096 */
  hosts?: number;
  /** Queries kept per host (the oldest is dropped first). @default 100 */
  perHost?: number;
  /** Answered addresses remembered (the oldest answer is dropped first). @default 100000 */
  addresses?: number;
}

/** One answer as the API shows it. */
export interface DnsAnswerJson {
  /** A, AAAA or CNAME. */
  type: string;
  /** The address, or the canonical name. */
  data: string;
  /** TTL in seconds. */
  ttl: number;
}

/** One query of a host, with its answer once seen. */
export interface DnsQueryJson {
  /** When the query was seen, ISO 8601. */
  ts: string;
  /** The name asked for. */
  name: string;
  /** The record type asked for (A, AAAA, HTTPS …, or the number). */
  type: string;
  /** The resolver asked. */
  server: string;
  /** The response code (NOERROR, NXDOMAIN …); null until the response is seen. */
  rcode: string | null;
  /** The A, AAAA and CNAME answers; empty until the response is seen. */
  answers: DnsAnswerJson[];
}

interface Named {
  name: string;
  seenMs: number;
  untilMs: number;
}

const TYPE_NAMES: Record<number, string> = {
  1: "A",
  2: "NS",
  5: "CNAME",
  6: "SOA",
  12: "PTR",
  15: "MX",
  16: "TXT",
  28: "AAAA",
  33: "SRV",
  64: "SVCB",
  65: "HTTPS",
  255: "ANY",
};
/** RCODEs (RFC 1035 §4.1.1, RFC 6895). */
const RCODES = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"];

function typeName(t: number): string {
  return TYPE_NAMES[t] ?? String(t);
}

/** Per-host DNS history and the address → name map. */
export class DnsBook {
  readonly #hosts = new Map<string, DnsQueryJson[]>();
  /** Query id per entry, to match responses (parallel to the host's list). */
  readonly #ids = new WeakMap<DnsQueryJson, number>();
  readonly #v4 = new Map<number, Named>();
  readonly #v6 = new Map<string, Named>();
  readonly #o: Required<DnsBookLimits>;
  /** Messages read, and those that were not DNS after all. */
  readonly counters = { queries: 0, responses: 0, answers: 0, malformed: 0 };

  constructor(o: DnsBookLimits = {}) {
    this.#o = { hosts: 4096, perHost: 100, addresses: 100_000, ...o };
  }

  /** A query `client` sent to `server` at `tsMs`. */
  query(client: string, server: string, m: DnsMessage, tsMs: number): void {
    this.counters.queries++;
    const list = this.#list(client);
    for (const q of m.questions) {
      const e: DnsQueryJson = {
        ts: new Date(tsMs).toISOString(),
        name: q.name,
        type: typeName(q.type),
        server,
        rcode: null,
        answers: [],
      };
      this.#ids.set(e, m.id);
      list.push(e);
      if (list.length > this.#o.perHost) list.shift();
    }
  }

  /** A response `server` sent to `client` at `tsMs`: the query's entry gets its answers; addresses get names. */
  response(client: string, server: string, m: DnsMessage, tsMs: number): void {
    this.counters.responses++;
    const asked = m.questions[0]?.name ?? "";
    const answers: DnsAnswerJson[] = m.answers.map((a) => ({
      type: typeName(a.type),
      data: a.data,
      ttl: a.ttl,
    }));
    this.counters.answers += answers.length;
    const list = this.#list(client);
    let entry: DnsQueryJson | undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      const e = list[i];
      if (e.rcode === null && e.name === asked && this.#ids.get(e) === m.id) {
        entry = e;
        break;
      }
    }
    if (!entry) {
      // the query was not seen (capture started late, asymmetric path): keep the answer anyway
      entry = {
        ts: new Date(tsMs).toISOString(),
        name: asked,
        type: typeName(m.questions[0]?.type ?? 0),
        server,
        rcode: null,
        answers: [],
      };
      list.push(entry);
      if (list.length > this.#o.perHost) list.shift();
    }
    entry.rcode = RCODES[m.rcode] ?? String(m.rcode);
    entry.answers = answers;
    // The address is named after what the client asked for, not the CDN name a CNAME led to.
    for (const a of m.answers) {
      if (a.type !== DnsType.A && a.type !== DnsType.AAAA) continue;
      const named: Named = {
        name: asked || a.name,
        seenMs: tsMs,
        untilMs: tsMs + Math.max(a.ttl, MIN_HOLD_S) * 1000,
      };
      if (a.type === DnsType.A) this.#remember(this.#v4, ipv4Number(a.data), named);
      else this.#remember(this.#v6, a.data, named);
    }
  }

  /** The name an answer gave `words[o…]` that was valid at `atMs` (1 s of slack before the answer), or null. */
  nameFor(family: number, words: ArrayLike<number>, o: number, atMs: number): string | null {
    const n = family === 4 ? this.#v4.get(words[o] >>> 0) : this.#v6.get(formatIpv6(words, o));
    if (!n || atMs < n.seenMs - 1000 || atMs > n.untilMs) return null;
    return n.name;
  }

  /** A host's recent queries, newest last; empty when none. */
  history(ip: string): readonly DnsQueryJson[] {
    return this.#hosts.get(ip) ?? [];
  }

  /** Every host's history, by address (replay's document). */
  toJson(): Record<string, DnsQueryJson[]> {
    return Object.fromEntries([...this.#hosts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /** Hosts with history, and addresses named. */
  get sizes(): { hosts: number; addresses: number } {
    return { hosts: this.#hosts.size, addresses: this.#v4.size + this.#v6.size };
  }

  #list(host: string): DnsQueryJson[] {
    let list = this.#hosts.get(host);
    if (list) {
      this.#hosts.delete(host); // most recently active last
    } else {
      list = [];
      if (this.#hosts.size >= this.#o.hosts) this.#hosts.delete(this.#hosts.keys().next().value!);
    }
    this.#hosts.set(host, list);
    return list;
  }

  #remember<K>(map: Map<K, Named>, key: K, n: Named): void {
    map.delete(key);
    if (map.size >= this.#o.addresses) map.delete(map.keys().next().value!);
    map.set(key, n);
  }
}

function ipv4Number(text: string): number {
  const p = text.split(".");
  return ((+p[0] << 24) | (+p[1] << 16) | (+p[2] << 8) | +p[3]) >>> 0;
}
