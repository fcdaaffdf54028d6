/**
 * The words the SNMP side speaks: where an agent is and how to authenticate, what a poll returns, and
 * how a poll fails. Pollers, discovery and the trap receiver import these; none of them import each
 * other.
 */

/** SNMPv2c: a community string. */
export interface SnmpV2cCredentials {
  version: "v2c";
  /** The community (a password: never logged). */
  community: string;
}

/** SNMPv3 user-based security (RFC 3414), authPriv or authNoPriv. */
export interface SnmpV3Credentials {
  version: "v3";
  /** USM user name. */
  user: string;
  /** Authentication protocol. */
  authProtocol: "md5" | "sha" | "sha224" | "sha256" | "sha384" | "sha512";
  /** Authentication passphrase (never logged). */
  authKey: string;
  /** Privacy protocol; "none" for authNoPriv. */
  privProtocol: "none" | "des" | "aes" | "aes256b" | "aes256r";
  /** Privacy passphrase ("" with privProtocol none). */
  privKey: string;
}

/** How to talk to an agent. */
export type SnmpCredentials = SnmpV2cCredentials | SnmpV3Credentials;

/** One agent to query. */
export interface SnmpTarget {
  /** Address (dotted quad or IPv6 text). */
  ip: string;
  /** UDP port, normally 161. */
  port: number;
  /** Credentials chosen for this address (per network, see FLINTNET_SNMP_COMMUNITIES / _V3). */
  credentials: SnmpCredentials;
  /** Time to wait for each request, in milliseconds. */
  timeoutMs: number;
  /** Retries after the first try. */
  retries: number;
}

/** Why a request failed, in the categories the API reports. */
export type SnmpFailure =
  /** No answer within timeout × (retries + 1). */
  | "timeout"
  /** SNMPv3 report of an unknown user, a wrong digest, or a decryption error. */
  | "auth_failure"
  /** The agent does not have the object or table asked for. */
  | "no_such_object"
  /** The answer could not be decoded or did not match the request. */
  | "malformed"
  /** The port is closed (ICMP port unreachable). */
  | "refused"
  /** Anything else (error-status in the response, too big, a socket error). */
  | "error";

/** A failed SNMP request: `failure` for programs, `message` in words for people. */
export class SnmpError extends Error {
  /** The category. */
  readonly failure: SnmpFailure;
  constructor(failure: SnmpFailure, message: string) {
    super(message);
    this.name = "SnmpError";
    this.failure = failure;
  }
}

/** The MIB-2 system group (RFC 3418), as discovery probes it. */
export interface SystemInfo {
  /** sysDescr.0 */
  sysDescr: string;
  /** sysObjectID.0, dotted ("1.3.6.1.4.1.9.1.1208"). */
  sysObjectId: string;
  /** sysName.0 */
  sysName: string;
  /** sysServices.0 (bit 0 = layer 1 … bit 6 = layer 7), undefined when absent. */
  sysServices: number | undefined;
  /** sysUpTime.0 in hundredths of a second. */
  sysUpTimeCs: number;
}

/** One row of an ARP table (ipNetToMediaTable or ipNetToPhysicalTable). */
export interface ArpTableEntry {
  /** The device whose table this row is from. */
  device: string;
  /** ifIndex the entry is on. */
  ifIndex: number;
  /** IP address of the neighbour. */
  ip: string;
  /** MAC address, lower case with colons. */
  mac: string;
  /** ipNetToMediaType: how the entry was made. */
  type: "other" | "invalid" | "dynamic" | "static";
}

/** A value as the session hands it over, converted from net-snmp's representation. */
export type SnmpValue =
  /** Integer, Counter32, Gauge32, TimeTicks, UInteger32. */
  | number
  /** Counter64 (net-snmp gives a Buffer; the session converts it). */
  | bigint
  /** OctetString and Opaque, as the bytes (callers decide whether they are text, a MAC, …). */
  | Uint8Array
  /** ObjectIdentifier (dotted) and IpAddress (dotted quad). */
  | string
  /** Null. */
  | null;

/** One variable binding of a response. */
export interface SnmpVarbind {
  /** Dotted OID, no leading dot. */
  oid: string;
  /** The value. */
  value: SnmpValue;
}

/** A conversation with one agent. Every method rejects with an {@link SnmpError}. */
export interface SnmpSession {
  /** The agent. */
  readonly target: SnmpTarget;
  /** GET of scalars; `undefined` where the agent has noSuchObject / noSuchInstance. */
  get(oids: readonly string[]): Promise<(SnmpValue | undefined)[]>;
  /**
   * Every row under `baseOid` (GETBULK with v2c/v3), in OID order, stopping after `maxRows` varbinds
   * so a hostile or huge table cannot grow memory without bound.
   */
  walk(baseOid: string, maxRows?: number): Promise<SnmpVarbind[]>;
  /**
   * One GETBULK (RFC 3416 §4.2.3) without non-repeaters: for each repetition, the successor of each OID
   * asked, row-major (`[r0·oid0, r0·oid1, …, r1·oid0, …]`, as on the wire); `null` where the agent has
   * no successor (endOfMibView). An agent may answer fewer repetitions than asked, the last one
   * partial; one that answers tooBig is asked again for fewer.
   */
  getBulk(oids: readonly string[], maxRepetitions: number): Promise<(SnmpVarbind | null)[]>;
  /** Frees the socket. */
  close(): void;
}
