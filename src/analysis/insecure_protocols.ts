/**
 * Insecure protocols in use: telnet, FTP, rlogin, rsh and rexec (a server that answered on its port,
 * with at least a handshake and data), TFTP (requests to port 69), and what payloads showed (the
 * packet-level cleartext watcher): HTTP basic authentication over plain HTTP, SMBv1, SNMPv1/v2c with
 * the default community "public" or "private". One advisory per (protocol, server), resolved after an
 * hour without it: such use is sporadic, and one sighting is enough to act on.
 *
 * An agent that answers Flintnet's own poll with "public" (Flintnet's default community) is reported like
 * any other: anyone can read it. The advisory says that the client is this Flintnet, and that it needs the
 * new community once the agent's is changed, or its polling of the device stops.
 */
import type { CleartextKind } from "../detect/mod.ts";
import type { AdvisoryType } from "../events/mod.ts";
import { formatIp } from "../net/mod.ts";
import type { Analyzer, Finding, MinuteInput } from "./analyzer.ts";

/** TCP SYN+ACK: the server accepted the connection (RFC 9293 §3.5). */
const SYN_ACK = 0x12;
/** Where SNMP agents answer polls (RFC 3417 §4). */
const SNMP_PORT = 161;

/** Port-identified protocols: IANA port, protocol, name, what to use instead. */
const BY_PORT: readonly { port: number; proto: number; name: string; instead: string }[] = [
  { port: 23, proto: 6, name: "telnet", instead: "SSH" },
  { port: 21, proto: 6, name: "FTP", instead: "SFTP or FTPS" },
  { port: 513, proto: 6, name: "rlogin", instead: "SSH" },
  { port: 514, proto: 6, name: "rsh", instead: "SSH" },
  { port: 512, proto: 6, name: "rexec", instead: "SSH" },
  { port: 69, proto: 17, name: "TFTP", instead: "SFTP or HTTPS, or TFTP on an isolated management network" },
];

const BY_PAYLOAD: Record<CleartextKind, { name: string; action: string }> = {
  http_basic_auth: {
    name: "HTTP basic authentication over plain HTTP",
    action: "Passwords cross the network readable by anyone on the path: serve the site over HTTPS only, " +
      "and change the passwords that were used.",
  },
  smb1: {
    name: "SMB version 1",
    action: "SMBv1 is obsolete and was how WannaCry spread: disable it on the server and its clients " +
      "(SMB 2 or 3 instead).",
  },
  snmp_v1_public: {
    name: 'SNMPv1 with the default community "public"',
    action: "Anyone can read the device: set a private community or, better, SNMPv3 with authentication.",
  },
  snmp_v1_private: {
    name: 'SNMPv1 with the default community "private"',
    action: "The default write community lets anyone reconfigure the device: change it now, or use SNMPv3.",
  },
  snmp_v2c_public: {
    name: 'SNMPv2c with the default community "public"',
    action: "Anyone can read the device: set a private community or, better, SNMPv3 with authentication.",
  },
  snmp_v2c_private: {
    name: 'SNMPv2c with the default community "private"',
    action: "The default write community lets anyone reconfigure the device: change it now, or use SNMPv3.",
  },
};

/** Said after the action when the community was Flintnet's own poll's. */
const OWN_POLL_ACTION = "Then give Flintnet the new community or SNMPv3 user (FLINTNET_SNMP_COMMUNITIES, " +
  "FLINTNET_SNMP_V3), or it can no longer poll the device.";

/** Insecure protocols, by port and by payload. */
export class InsecureProtocolAnalyzer implements Analyzer {
  readonly name = "insecure_protocols";
  readonly types: readonly AdvisoryType[] = ["insecure_protocol"];
  readonly resolveAfterRuns = 60;
  /** 1 + the BY_PORT entry of a TCP source port (UDP destination port), 0 for none: a flow's entry in one read. */
  #tcpServer = new Uint8Array(65536);
  #udpServer = new Uint8Array(65536);

  /** The appliance's own addresses: a community it sent is its own poll's. */
  #own: ReadonlySet<string>;

  constructor(ownAddresses: readonly string[] = []) {
    this.#own = new Set(ownAddresses);
    BY_PORT.forEach((p, i) => (p.proto === 6 ? this.#tcpServer : this.#udpServer)[p.port] = i + 1);
  }

  analyze(m: MinuteInput): Finding[] {
    const found = new Map<string, Finding>();
    const f = m.summary.flows, tcpServer = this.#tcpServer, udpServer = this.#udpServer;
    for (let r = 0; r < f.count; r++) {
      // At most one entry can match a flow: TCP ones by the source port (the server's), UDP by the destination.
      const pr = f.proto[r];
      const e = pr === 6 ? tcpServer[f.srcPort[r]] : pr === 17 ? udpServer[f.dstPort[r]] : 0;
      if (e === 0) continue;
      const p = BY_PORT[e - 1], k = r << 2, fam = f.family[r];
      let server: string, client: string;
      if (p.proto === 6 && (f.tcpFlags[r] & SYN_ACK) === SYN_ACK && f.packets[r] >= 3) {
        server = formatIp(fam, f.src, k);
        client = formatIp(fam, f.dst, k);
      } else if (p.proto === 17) {
        server = formatIp(fam, f.dst, k);
        client = formatIp(fam, f.src, k);
      } else continue;
      this.#add(
        found,
        `${p.name}|${server}`,
        server,
        {
          protocol: p.name,
          port: p.port,
          client,
          bytes: f.bytes[r],
          packets: f.packets[r],
        },
        `${p.name} (port ${p.port}) is in use on ${server}, by ${client}: it sends everything, passwords ` +
          "included, in cleartext.",
        `Replace ${p.name} with ${p.instead}, and disable it on ${server}.`,
      );
    }
    for (const s of m.cleartext) {
      const what = BY_PAYLOAD[s.what];
      if (!what) continue;
      // An agent's answer (from port 161) to this appliance; a trap it sent here is not a poll.
      const ownPoll = s.what.startsWith("snmp_") && s.port === SNMP_PORT && this.#own.has(s.client);
      this.#add(
        found,
        `${s.what}|${s.server}`,
        s.server,
        {
          protocol: s.what,
          port: s.port,
          client: s.client,
          ...(ownPoll ? { client_is_flintnet: true } : {}),
          packets: s.packets,
          first_seen: new Date(s.firstMs).toISOString(),
          last_seen: new Date(s.lastMs).toISOString(),
        },
        `${what.name} is in use on ${s.server} port ${s.port} (last seen from ${s.client}${
          ownPoll ? ", this Flintnet, whose poll the agent answered" : ""
        }).`,
        ownPoll ? `${what.action} ${OWN_POLL_ACTION}` : what.action,
      );
    }
    return [...found.values()];
  }

  #add(
    found: Map<string, Finding>,
    key: string,
    server: string,
    evidence: Record<string, unknown>,
    summary: string,
    action: string,
  ): void {
    const had = found.get(key);
    if (had) {
      (had.evidence.flows as number)++;
      return;
    }
    found.set(key, {
      type: "insecure_protocol",
      key,
      severity: "warning",
      subject: server,
      subject_kind: "host",
      ip: server,
      summary,
      action,
      evidence: { ...evidence, flows: 1 },
    });
  }
}
