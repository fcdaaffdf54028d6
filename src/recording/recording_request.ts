/**
 * What a recording records, from the body of `POST /recordings`: a host, a flow (5-tuple) or a filter in a
 * small language — terms joined by `and`:
 *
 *   host ADDR     either end is this IPv4/IPv6 address (ARP frames naming it too)
 *   net CIDR      either end is in this network
 *   port N        either port is N (TCP, UDP, SCTP)
 *   proto P       tcp, udp, icmp, icmp6, sctp, or a protocol number 0–255 (also bare: `tcp`, `udp` …)
 *
 * at most two host/net terms, two port terms and one protocol. `or`, `not`, brackets and everything else
 * pcap-filter(7) knows are refused with a message naming what is accepted: the tap in the capture Worker
 * matches these terms with a few compares per frame, and a BPF interpreter per frame would not be free.
 */
import type { TapSubject } from "../capture/mod.ts";
import { parseIp, tryParseCidr } from "../net/mod.ts";

/** A request the client can fix: `parameter` names the body member at fault. */
export class RecordingInputError extends Error {
  readonly parameter: string;
  constructor(parameter: string, message: string) {
    super(message);
    this.name = "RecordingInputError";
    this.parameter = parameter;
  }
}

/** What kind of subject a recording has. */
export type RecordingKind = "host" | "flow" | "filter";

/** A parsed request. */
export interface RecordingSubject {
  kind: RecordingKind;
  /** In words: "host 10.0.0.5", "tcp 10.0.0.5:40000 ↔ 192.0.2.9:443", the filter as given (normalised). */
  what: string;
  /** The tap's subject, without its slot. */
  subject: Omit<TapSubject, "slot">;
  /** The host, for a host recording (auto-start keeps one per host). */
  host: string | null;
}

/** The filter language, in one line for error messages. */
export const FILTER_ACCEPTED =
  "terms joined by 'and': host ADDR, net CIDR, port N, proto tcp|udp|icmp|icmp6|sctp|0-255 " +
  "(or bare tcp, udp, icmp …); at most two host/net terms, two ports and one protocol";

const PROTOCOLS: Record<string, number> = { icmp: 1, tcp: 6, udp: 17, icmp6: 58, sctp: 132 };

function protoNumber(text: string): number | undefined {
  if (text in PROTOCOLS) return PROTOCOLS[text];
  return /^\d{1,3}$/.test(text) && Number(text) <= 255 ? Number(text) : undefined;
}

function netOf(text: string, parameter: string): TapSubject["nets"][number] {
  const ip = parseIp(text);
  if (ip) return { family: ip.family, words: [...ip.words], prefix: ip.family === 4 ? 32 : 128 };
  const c = tryParseCidr(text);
  if (c) return { family: c.family, words: [...c.network], prefix: c.prefix };
  throw new RecordingInputError(
    parameter,
    `${JSON.stringify(text)} is not an IPv4 or IPv6 address or network`,
  );
}

function portOf(v: unknown, parameter: string): number {
  const n = typeof v === "string" && /^\d{1,5}$/.test(v) ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 65535) {
    throw new RecordingInputError(parameter, `${JSON.stringify(v)} is not a port; accepted: 0–65535`);
  }
  return n;
}

/** Parses a filter expression of the small language. */
export function parseRecordingFilter(text: string): RecordingSubject {
  const refuse = (why: string) =>
    new RecordingInputError(
      "filter",
      `filter ${JSON.stringify(text)} is not accepted (${why}); accepted: ${FILTER_ACCEPTED}`,
    );
  const words = text.trim().toLowerCase().split(/\s+/).filter((w) => w !== "");
  if (words.length === 0 || text.length > 200) throw refuse("empty or longer than 200 characters");
  const s: Omit<TapSubject, "slot"> = { proto: -1, nets: [], ports: [], paired: false };
  const terms: string[] = [];
  for (let i = 0; i < words.length;) {
    if (terms.length > 0) {
      if (words[i] !== "and") throw refuse(`"${words[i]}" where "and" was expected`);
      i++;
    }
    const w = words[i], arg = words[i + 1];
    if (w === "host" || w === "net") {
      if (arg === undefined) throw refuse(`${w} needs an address`);
      const n = netOf(arg, "filter");
      if (w === "host" && n.prefix !== (n.family === 4 ? 32 : 128)) {
        throw refuse(`host ${arg} is a network: use net`);
      }
      if (s.nets.length === 2) throw refuse("more than two host/net terms");
      s.nets.push(n);
      terms.push(`${w} ${arg}`);
      i += 2;
    } else if (w === "port") {
      if (arg === undefined) throw refuse("port needs a number");
      if (s.ports.length === 2) throw refuse("more than two port terms");
      try {
        s.ports.push(portOf(arg, "filter"));
      } catch {
        throw refuse(`port ${arg} is not 0–65535`);
      }
      terms.push(`port ${arg}`);
      i += 2;
    } else if (w === "proto" || protoNumber(w) !== undefined && w in PROTOCOLS) {
      const name = w === "proto" ? arg : w;
      const p = name === undefined ? undefined : protoNumber(name);
      if (p === undefined) throw refuse(`proto ${name ?? ""} is not tcp, udp, icmp, icmp6, sctp or 0–255`);
      if (s.proto >= 0) throw refuse("more than one protocol");
      s.proto = p;
      terms.push(`proto ${name}`);
      i += w === "proto" ? 2 : 1;
    } else {
      throw refuse(w === undefined ? "a term is missing after and" : `"${w}" is not a term`);
    }
  }
  const host = s.nets.length === 1 && s.ports.length === 0 && s.proto < 0 && terms[0].startsWith("host ")
    ? terms[0].slice(5)
    : null;
  return { kind: "filter", what: terms.join(" and "), subject: s, host };
}

/** A host recording. */
export function hostSubject(ip: string, parameter = "host"): RecordingSubject {
  const p = parseIp(ip);
  if (!p) throw new RecordingInputError(parameter, `${JSON.stringify(ip)} is not an IPv4 or IPv6 address`);
  const n = netOf(ip, parameter);
  return {
    kind: "host",
    what: `host ${ip}`,
    subject: { proto: -1, nets: [n], ports: [], paired: false },
    host: ip,
  };
}

/** The members `flow` accepts. */
const FLOW_MEMBERS = ["src_ip", "dst_ip", "src_port", "dst_port", "protocol"];

/** A flow recording: both directions of one 5-tuple (ports optional for protocols without them). */
export function flowSubject(f: unknown): RecordingSubject {
  if (typeof f !== "object" || f === null || Array.isArray(f)) {
    throw new RecordingInputError("flow", `flow must be an object with ${FLOW_MEMBERS.join(", ")}`);
  }
  const o = f as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!FLOW_MEMBERS.includes(k)) {
      throw new RecordingInputError(
        `flow.${k}`,
        `flow.${k} is not accepted; accepted: ${FLOW_MEMBERS.join(", ")}`,
      );
    }
  }
  const ip = (k: string) => {
    if (typeof o[k] !== "string") throw new RecordingInputError(`flow.${k}`, `flow.${k} must be an address`);
    return o[k] as string;
  };
  const src = hostSubject(ip("src_ip"), "flow.src_ip"), dst = hostSubject(ip("dst_ip"), "flow.dst_ip");
  const pv = o.protocol;
  const proto = typeof pv === "number"
    ? (Number.isInteger(pv) && pv >= 0 && pv <= 255 ? pv : undefined)
    : typeof pv === "string"
    ? protoNumber(pv.toLowerCase())
    : undefined;
  if (proto === undefined) {
    throw new RecordingInputError(
      "flow.protocol",
      `flow.protocol ${JSON.stringify(pv)} is not tcp, udp, icmp, icmp6, sctp or 0–255`,
    );
  }
  const ports = o.src_port === undefined && o.dst_port === undefined
    ? []
    : [portOf(o.src_port, "flow.src_port"), portOf(o.dst_port, "flow.dst_port")];
  const name = Object.entries(PROTOCOLS).find(([, n]) => n === proto)?.[0] ?? `proto ${proto}`;
  const end = (a: string, p?: number) => p === undefined ? a : a.includes(":") ? `[${a}]:${p}` : `${a}:${p}`;
  return {
    kind: "flow",
    what: `${name} ${end(src.host!, ports[0])} <-> ${end(dst.host!, ports[1])}`,
    subject: { proto, nets: [src.subject.nets[0], dst.subject.nets[0]], ports, paired: true },
    host: null,
  };
}

/** The members the body of POST /recordings accepts. */
export const BODY_MEMBERS = ["host", "flow", "filter", "duration_s", "pre_seconds"];

/** The body of POST /recordings: exactly one of host, flow, filter; optional duration_s and pre_seconds. */
export interface RecordingRequest {
  subject: RecordingSubject;
  /** Seconds until it stops by itself; null: until stopped (or a size bound). */
  durationS: number | null;
  /** Seconds of the look-back ring to put first (0 when the ring is not kept). */
  preSeconds: number;
}

/** Parses the body of POST /recordings; `maxPre` is FLINTNET_RECORDING_PRE_SECONDS when the ring is kept, else 0. */
export function parseRecordingBody(body: unknown, maxPre: number): RecordingRequest {
  const accepted =
    `accepted: a JSON object with one of host (an address), flow ({src_ip, dst_ip, protocol, ` +
    `src_port, dst_port}) or filter (${FILTER_ACCEPTED}), and optionally duration_s and pre_seconds`;
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new RecordingInputError("body", `the body is not valid; ${accepted}`);
  }
  const o = body as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!BODY_MEMBERS.includes(k)) throw new RecordingInputError(k, `${k} is not accepted; ${accepted}`);
  }
  const given = ["host", "flow", "filter"].filter((k) => o[k] !== undefined);
  if (given.length !== 1) {
    throw new RecordingInputError("body", `give exactly one of host, flow, filter; ${accepted}`);
  }
  let subject: RecordingSubject;
  if (given[0] === "host") {
    if (typeof o.host !== "string") {
      throw new RecordingInputError("host", "host must be an address (a string)");
    }
    subject = hostSubject(o.host);
  } else if (given[0] === "flow") subject = flowSubject(o.flow);
  else {
    if (typeof o.filter !== "string") {
      throw new RecordingInputError("filter", `filter must be a string; ${FILTER_ACCEPTED}`);
    }
    subject = parseRecordingFilter(o.filter);
  }
  const d = o.duration_s;
  if (
    d !== undefined && d !== null && !(typeof d === "number" && Number.isInteger(d) && d >= 1 && d <= 86_400)
  ) {
    throw new RecordingInputError(
      "duration_s",
      `duration_s ${JSON.stringify(d)} is not valid; accepted: 1–86400 seconds, or null`,
    );
  }
  const pre = o.pre_seconds ?? 0;
  if (!(typeof pre === "number" && Number.isInteger(pre) && pre >= 0 && pre <= maxPre)) {
    throw new RecordingInputError(
      "pre_seconds",
      `pre_seconds ${JSON.stringify(pre)} is not valid; accepted: 0–${maxPre}` +
        (maxPre === 0 ? " (the look-back ring is kept only with FLINTNET_RECORDING_AUTO=1)" : ""),
    );
  }
  return { subject, durationS: typeof d === "number" ? d : null, preSeconds: pre };
}
