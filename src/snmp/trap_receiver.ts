/**
 * Listens for SNMPv1/v2c traps and v2c informs on a UDP port and publishes each accepted one as a
 * `trap` event. Informs are acknowledged with a Response-PDU. A wrong community, an SNMPv3 message
 * or anything that does not decode is dropped and counted, never thrown: the socket is exposed to
 * whoever can reach it.
 */

import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import type { TrapEvent, TrapVarbind } from "../events/mod.ts";
import { createLogger } from "../base/mod.ts";
import {
  type DecodedTrap,
  decodeEnvelope,
  decodeTrapPdu,
  encodeInformResponse,
  MalformedPdu,
  PDU_TAG,
  SNMP_VERSION_1,
  SNMP_VERSION_2C,
  SNMP_VERSION_3,
} from "./trap_pdu.ts";
import { IF_INDEX, SNMP_TRAP_OID_0, SYS_UPTIME_0, trapMeaning, trapName, v1TrapOid } from "./trap_names.ts";
import { TrapLimiter, type TrapLimiterOptions } from "./trap_limiter.ts";

/** Options of {@link TrapReceiver}. */
export interface TrapReceiverOptions {
  /** Address to listen on ("0.0.0.0", "127.0.0.1", "::"). */
  hostname: string;
  /** UDP port (162 is the standard one and needs root or CAP_NET_BIND_SERVICE). */
  port: number;
  /** The communities accepted from a UDP source address, or "any" to accept every community. */
  communities: (sourceIp: string) => readonly string[] | "any";
  /** Receives every accepted trap and inform. */
  publish: (e: TrapEvent) => void;
  /** Varbinds kept per trap; the rest are counted in the reason. @default 64 */
  maxVarbinds?: number;
  /** Octets of one value rendered as text; longer values are cut and marked "…". @default 1024 */
  maxValueBytes?: number;
  /** Clock for the event's `ts` and the rate limit. @default () => new Date() */
  now?: () => Date;
  /** Traps a minute published per UDP source and in all; the rest are held back. @default 60 and 600 */
  rateLimit?: TrapLimiterOptions;
  /**
   * The name of interface `ifIndex` of the device at `ip` as its last poll saw it, for linkDown/linkUp
   * ("interface 2 (Gi1/0/2) went down"); null when unknown. @default none known
   */
  interfaceName?: (ip: string, ifIndex: number) => string | null;
}

/** Why a datagram was not published. */
export type TrapDropReason = "malformed" | "community" | "unsupported" | "rate_limited";

/** What the receiver has seen since start. */
export interface TrapCounters {
  /** Datagrams received. */
  received: number;
  /** Traps and informs published. */
  published: number;
  /** Informs acknowledged with a Response-PDU. */
  acknowledged: number;
  /**
   * Datagrams dropped, by reason (SNMPv3 and non-notification PDUs are "unsupported"; rate_limited: held
   * back over the per-source or overall rate, and said in the source's next published trap).
   */
  dropped: Record<TrapDropReason, number>;
}

const log = createLogger("traps");
/** Responses waiting in the socket before further informs go unacknowledged (the sender retries). */
const MAX_PENDING_ACKS = 256;
/** Sources remembered for "wrong community" warnings, so a flood of forged sources cannot grow memory. */
const MAX_WARNED_SOURCES = 1024;

/** SNMP trap and inform receiver (v1, v2c). */
export class TrapReceiver {
  readonly #opts: TrapReceiverOptions;
  readonly #maxVarbinds: number;
  readonly #maxValueBytes: number;
  readonly #limiter: TrapLimiter;
  #socket: Socket | null = null;
  #pendingAcks = 0;
  readonly #warned = new Set<string>();
  readonly #counters: TrapCounters = {
    received: 0,
    published: 0,
    acknowledged: 0,
    dropped: { malformed: 0, community: 0, unsupported: 0, rate_limited: 0 },
  };

  constructor(opts: TrapReceiverOptions) {
    const maxVarbinds = opts.maxVarbinds ?? 64;
    if (!Number.isInteger(maxVarbinds) || maxVarbinds < 2 || maxVarbinds > 10_000) {
      throw new RangeError(`maxVarbinds ${maxVarbinds} must be an integer from 2 to 10000`);
    }
    const maxValueBytes = opts.maxValueBytes ?? 1024;
    if (!Number.isInteger(maxValueBytes) || maxValueBytes < 16 || maxValueBytes > 65_536) {
      throw new RangeError(`maxValueBytes ${maxValueBytes} must be an integer from 16 to 65536`);
    }
    this.#opts = opts;
    this.#maxVarbinds = maxVarbinds;
    this.#maxValueBytes = maxValueBytes;
    this.#limiter = new TrapLimiter(opts.rateLimit ?? { perSource: 60, total: 600 });
  }

  /** Binds the port. Rejects with one clear sentence when it cannot (in use, permission, no such address). */
  start(): Promise<void> {
    if (this.#socket) return Promise.resolve();
    const { hostname, port } = this.#opts;
    const socket = createSocket(hostname.includes(":") ? "udp6" : "udp4");
    return new Promise((resolve, reject) => {
      socket.once("error", (err: NodeJS.ErrnoException) => {
        socket.close();
        reject(new Error(bindFailure(hostname, port, err)));
      });
      socket.bind({ address: hostname, port }, () => {
        socket.removeAllListeners("error");
        socket.on("error", (err) => log.warn("trap socket error", { error: err }));
        socket.on("message", (msg, rinfo) => this.#onDatagram(msg, rinfo));
        this.#socket = socket;
        log.info("listening for SNMP traps and informs", { address: `${hostname}:${port}` });
        resolve();
      });
    });
  }

  /** Closes the socket. Idempotent. */
  stop(): Promise<void> {
    const socket = this.#socket;
    this.#socket = null;
    if (!socket) return Promise.resolve();
    return new Promise((resolve) => socket.close(() => resolve()));
  }

  /** A copy of the counters. */
  counters(): TrapCounters {
    return structuredClone(this.#counters);
  }

  #onDatagram(msg: Uint8Array, rinfo: RemoteInfo): void {
    this.#counters.received++;
    const udpSource = plainAddress(rinfo.address);
    try {
      const verdict = this.#handle(msg, rinfo, udpSource);
      if (verdict !== "published") this.#counters.dropped[verdict]++;
    } catch (err) {
      // MalformedPdu is the expected failure; anything else is a decoder bug, still contained here.
      this.#counters.dropped.malformed++;
      if (!(err instanceof MalformedPdu)) {
        log.warn("unexpected error decoding a trap", { source: udpSource, error: err });
      } else log.debug("malformed trap datagram", { source: udpSource, error: err.message });
    }
  }

  #handle(msg: Uint8Array, rinfo: RemoteInfo, udpSource: string): TrapDropReason | "published" {
    const env = decodeEnvelope(msg);
    if (env.version === SNMP_VERSION_3) return "unsupported";
    if (env.version !== SNMP_VERSION_1 && env.version !== SNMP_VERSION_2C) return "malformed";
    const wanted = env.version === SNMP_VERSION_1 ? [PDU_TAG.trapV1] : [PDU_TAG.trapV2, PDU_TAG.inform];
    if (!(wanted as number[]).includes(env.pduTag)) {
      return env.pduTag >= PDU_TAG.getRequest && env.pduTag <= PDU_TAG.report ? "unsupported" : "malformed";
    }
    if (!this.#communityAccepted(udpSource, env.community)) {
      if (this.#warned.size < MAX_WARNED_SOURCES && !this.#warned.has(udpSource)) {
        this.#warned.add(udpSource);
        log.warn("dropped a trap with a community not accepted from its source", { source: udpSource });
      }
      return "community";
    }
    const decoded = decodeTrapPdu(env, this.#maxVarbinds, this.#maxValueBytes);
    const now = this.#opts.now?.() ?? new Date();
    const event = buildTrapEvent(decoded, udpSource, now.toISOString(), this.#opts.interfaceName);
    // An inform held back is still acknowledged: its sender would only send it again.
    if (decoded.pdu === "inform" && decoded.requestIdTlv) {
      this.#acknowledge(
        encodeInformResponse(env.community, decoded.requestIdTlv, decoded.varbindsTlv),
        rinfo,
      );
    }
    const heldBack = this.#limiter.admit(udpSource, now.getTime());
    if (heldBack === null) return "rate_limited";
    event.held_back = heldBack;
    if (heldBack > 0) {
      event.reason += ` (${heldBack} earlier trap${heldBack === 1 ? "" : "s"} from ${udpSource} held back: ` +
        `more than ${this.#limiter.perSource} a minute from one source or ${this.#limiter.total} from all)`;
    }
    this.#counters.published++;
    try {
      this.#opts.publish(event);
    } catch (err) {
      log.warn("trap subscriber failed", { error: err });
    }
    return "published";
  }

  #communityAccepted(source: string, community: Uint8Array): boolean {
    const accepted = this.#opts.communities(source);
    if (accepted === "any") return true;
    const encoder = new TextEncoder();
    return accepted.some((c) => sameBytes(encoder.encode(c), community));
  }

  #acknowledge(response: Uint8Array, rinfo: RemoteInfo): void {
    const socket = this.#socket;
    if (!socket || this.#pendingAcks >= MAX_PENDING_ACKS) return;
    this.#pendingAcks++;
    socket.send(response, rinfo.port, rinfo.address, (err) => {
      this.#pendingAcks--;
      if (err) log.debug("could not acknowledge an inform", { source: rinfo.address, error: err });
      else this.#counters.acknowledged++;
    });
  }
}

/**
 * The `trap` event for a decoded PDU: the standard name, the v2 trap OID (v1 mapped per RFC 3584 §3.1),
 * the sender's uptime, ifIndex (and the interface's name, from `interfaceName`) for linkDown/linkUp, and a
 * sentence for a person.
 * Throws {@link MalformedPdu} when the PDU lacks what every notification must carry.
 */
export function buildTrapEvent(
  d: DecodedTrap,
  udpSource: string,
  ts: string,
  interfaceName?: (ip: string, ifIndex: number) => string | null,
): TrapEvent {
  let trapOid: string;
  let uptimeCs: number;
  let sourceIp = udpSource;
  if (d.v1) {
    const oid = v1TrapOid(d.v1.enterprise, d.v1.genericTrap, d.v1.specificTrap);
    if (oid === null) throw new MalformedPdu(`generic-trap ${d.v1.genericTrap} is not 0–6`);
    trapOid = oid;
    uptimeCs = d.v1.timestamp;
    // agent-addr 0.0.0.0 means the sender did not say; the UDP source is then the best we have.
    if (d.v1.agentAddr !== "0.0.0.0") sourceIp = d.v1.agentAddr;
  } else {
    const trapVb = d.varbinds.find((v) => v.oid === SNMP_TRAP_OID_0 && v.type === "ObjectIdentifier");
    if (!trapVb) throw new MalformedPdu("no snmpTrapOID.0 varbind");
    trapOid = trapVb.value;
    const up = d.varbinds.find((v) => v.oid === SYS_UPTIME_0 && v.type === "TimeTicks");
    uptimeCs = up ? Number(up.value) : 0;
  }
  const name = trapName(trapOid);
  const ifIndex = name === "linkDown" || name === "linkUp" ? findIfIndex(d.varbinds) : null;
  const ifName = ifIndex === null ? null : interfaceName?.(sourceIp, ifIndex) || null;
  const meaning = trapMeaning(name, ifIndex, ifName);
  const what = d.pdu === "inform" ? "inform" : "trap";
  let reason: string;
  if (meaning !== null) {
    reason = `${name} from ${sourceIp}: ${meaning}`;
  } else {
    const payload = d.varbinds.filter((v) => v.oid !== SYS_UPTIME_0 && v.oid !== SNMP_TRAP_OID_0).length +
      d.omitted;
    reason = `enterprise-specific ${what} ${trapOid} from ${sourceIp} with ${payload} value${
      payload === 1 ? "" : "s"
    }`;
  }
  if (d.omitted > 0) reason += ` (${d.omitted} varbinds beyond the first ${d.varbinds.length} not kept)`;
  return {
    kind: "trap",
    ts,
    source_ip: sourceIp,
    version: d.version,
    pdu: d.pdu,
    name,
    trap_oid: trapOid,
    uptime_cs: uptimeCs,
    if_index: ifIndex,
    if_name: ifName,
    varbinds: d.varbinds,
    reason,
  };
}

/** ifIndex from an ifIndex.N varbind: its value when it is an Integer, else the instance N. */
function findIfIndex(varbinds: readonly TrapVarbind[]): number | null {
  const vb = varbinds.find((v) => v.oid.startsWith(`${IF_INDEX}.`));
  if (!vb) return null;
  const n = vb.type === "Integer" ? Number(vb.value) : Number(vb.oid.slice(IF_INDEX.length + 1));
  return Number.isSafeInteger(n) ? n : null;
}

/** "::ffff:10.0.0.1" (an IPv4 peer on a dual-stack socket) as "10.0.0.1". */
function plainAddress(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1] : address;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function bindFailure(hostname: string, port: number, err: NodeJS.ErrnoException): string {
  const where = `${hostname}:${port}`;
  switch (err.code) {
    case "EACCES":
    case "EPERM":
      return `cannot listen for SNMP traps on ${where}: permission denied (ports below 1024 need root or ` +
        `CAP_NET_BIND_SERVICE; grant it or choose a port of 1024 or above)`;
    case "EADDRINUSE":
      return `cannot listen for SNMP traps on ${where}: the port is already in use (is snmptrapd running?)`;
    case "EADDRNOTAVAIL":
      return `cannot listen for SNMP traps on ${where}: ${hostname} is not an address of this machine`;
    default:
      return `cannot listen for SNMP traps on ${where}: ${err.message}`;
  }
}
