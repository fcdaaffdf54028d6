/**
 * The packet-level half of the insecure-protocol advisory: rows whose payload gave a hint (HTTP basic
 * authentication, SMB1, SNMP with a default community: decode/payload_hint.ts) are remembered per
 * (what, server) until the analysis takes them, once a minute. The decoder already did the reading, in
 * the capture Worker; here a batch without a hinted row costs one comparison, and a hinted row a lookup
 * among the servers seen since the last take (a handful), with no allocation.
 */
import { AsideUse, type PacketBatch, PAYLOAD_HINT_NAMES, PayloadHint, RowKind } from "../decode/mod.ts";
import type { Detector } from "../flow/mod.ts";
import { formatIp } from "../net/mod.ts";

/** What a sighting is of: a name of decode/payload_hint.ts's PayloadHint. */
export type CleartextKind =
  | "http_basic_auth"
  | "smb1"
  | "snmp_v1_public"
  | "snmp_v1_private"
  | "snmp_v2c_public"
  | "snmp_v2c_private";

/** One server seen speaking a cleartext protocol since the last take. */
export interface CleartextSighting {
  /** What was seen. */
  what: CleartextKind;
  /** The server (HTTP server, SMB server, SNMP agent). */
  server: string;
  /** The server's port. */
  port: number;
  /** The last client (for SNMP traps: the trap receiver). */
  client: string;
  /** Packets seen. */
  packets: number;
  /** First and last packet, ms since the epoch. */
  firstMs: number;
  lastMs: number;
}

/** Servers remembered between takes; more are counted in `dropped`. */
const CAPACITY = 1024;
const SMB_PORT = 445, NETBIOS_SSN_PORT = 139, SNMP_PORT = 161, SNMP_TRAP_PORT = 162;

/** Remembers cleartext sightings; the analysis takes them with {@link take}. */
export class CleartextWatch implements Detector {
  readonly name = "cleartext";
  #hint = new Uint8Array(CAPACITY);
  #family = new Uint8Array(CAPACITY);
  #server = new Uint32Array(CAPACITY * 4);
  #client = new Uint32Array(CAPACITY * 4);
  #port = new Uint16Array(CAPACITY);
  #packets = new Float64Array(CAPACITY);
  #first = new Float64Array(CAPACITY);
  #last = new Float64Array(CAPACITY);
  #count = 0;
  /** Sightings lost because CAPACITY servers were already remembered. */
  dropped = 0;
  /** Hinted packets seen. */
  seen = 0;

  onRows(b: PacketBatch, from: number, to: number): void {
    if (b.asideUse[AsideUse.Hints] === 0) return;
    for (let r = from; r < to; r++) {
      const hint = b.hint[r];
      if (hint === 0 || hint >= PAYLOAD_HINT_NAMES.length || b.kind[r] !== RowKind.Ip) continue;
      const sp = b.srcPort[r], dp = b.dstPort[r];
      // An SNMP request with a default community proves nothing (Flintnet's own discovery sends them):
      // an agent that answers it, or sends traps with it, accepts it.
      if (hint >= PayloadHint.SnmpV1Public && sp !== SNMP_PORT && dp !== SNMP_TRAP_PORT) continue;
      this.seen++;
      // Which side is the server: HTTP requests go to it; SMB by its port; SNMP agents answer from 161 and
      // send traps (to 162) with their community.
      const serverIsSrc = hint === PayloadHint.Smb1
        ? sp === SMB_PORT || sp === NETBIOS_SSN_PORT
        : hint >= PayloadHint.SnmpV1Public;
      this.#note(
        hint,
        b.family[r],
        serverIsSrc ? b.src : b.dst,
        serverIsSrc ? b.dst : b.src,
        r << 2,
        serverIsSrc ? sp : dp,
        b.tsMs[r],
      );
    }
  }

  /** The sightings since the last take, and forgets them. */
  take(): CleartextSighting[] {
    const out: CleartextSighting[] = [];
    for (let i = 0; i < this.#count; i++) {
      out.push({
        what: PAYLOAD_HINT_NAMES[this.#hint[i]] as CleartextKind,
        server: formatIp(this.#family[i], this.#server, i << 2),
        port: this.#port[i],
        client: formatIp(this.#family[i], this.#client, i << 2),
        packets: this.#packets[i],
        firstMs: this.#first[i],
        lastMs: this.#last[i],
      });
    }
    this.#count = 0;
    return out;
  }

  #note(
    hint: number,
    family: number,
    server: Uint32Array,
    client: Uint32Array,
    a: number,
    port: number,
    ts: number,
  ): void {
    const s = this.#server;
    let i = 0;
    for (; i < this.#count; i++) {
      const k = i << 2;
      if (
        this.#hint[i] === hint && this.#family[i] === family && s[k] === server[a] &&
        s[k + 1] === server[a + 1] && s[k + 2] === server[a + 2] && s[k + 3] === server[a + 3]
      ) break;
    }
    if (i === this.#count) {
      if (i === CAPACITY) {
        this.dropped++;
        return;
      }
      this.#count++;
      this.#hint[i] = hint;
      this.#family[i] = family;
      for (let w = 0; w < 4; w++) s[(i << 2) + w] = server[a + w];
      this.#packets[i] = 0;
      this.#first[i] = ts;
      this.#last[i] = ts;
    }
    for (let w = 0; w < 4; w++) this.#client[(i << 2) + w] = client[a + w];
    this.#port[i] = port;
    this.#packets[i]++;
    if (ts > this.#last[i]) this.#last[i] = ts;
  }
}
