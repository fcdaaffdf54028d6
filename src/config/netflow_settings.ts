/**
 * The FLINTNET_* settings of the NetFlow/IPFIX collector: where it listens, how big a burst its
 * sockets absorb, and per-exporter sampling rates that win over what an exporter announces.
 */
import { hostPortOrOff, intRange, type Parser, Rejected } from "./parsers.ts";
import type { ListenAddress } from "./load.ts";
import { read, setting, value, type Vars } from "./setting.ts";
import { formatIp, parseIp } from "../net/mod.ts";

/** A sampling rate for one exporter. */
export interface SamplingRule {
  /** The exporter's address as written (canonical form). */
  address: string;
  /** 4 or 6. */
  family: number;
  /** Address words (IPv4 in word 0). */
  words: number[];
  /** 1 packet in `rate` was sampled: counts are multiplied by it. */
  rate: number;
}

/** Resolved collector settings. */
export interface NetflowConfig {
  /** NetFlow v5/v9 listener; null = off. */
  netflowListen: ListenAddress | null;
  /** IPFIX listener; null = off. */
  ipfixListen: ListenAddress | null;
  /** sFlow v5 listener; null = off. */
  sflowListen: ListenAddress | null;
  /** Receive buffer per socket, MiB. */
  bufferMb: number;
  /** Per-exporter sampling rates. */
  sampling: SamplingRule[];
}

/** Largest sampling rate accepted (a router sampling more sparsely than this is not counting traffic). */
const MAX_RATE = 1_000_000;

/** `address=rate,…`. */
const samplingRules: Parser<SamplingRule[]> = {
  accepted:
    `comma-separated exporter=rate pairs (an IPv4 or IPv6 address, a whole number from 1 to ${MAX_RATE}), ` +
    "e.g. 192.0.2.1=100,2001:db8::1=1000",
  parse(text) {
    const out: SamplingRule[] = [];
    for (const item of text.split(",").map((p) => p.trim()).filter((p) => p !== "")) {
      const eq = item.lastIndexOf("=");
      const ip = eq > 0 ? parseIp(item.slice(0, eq).trim()) : undefined;
      if (!ip) {
        throw new Rejected(`${JSON.stringify(item.slice(0, Math.max(eq, 0)) || item)} is not an IP address`);
      }
      const rate = intRange(1, MAX_RATE);
      let n: number;
      try {
        n = rate.parse(item.slice(eq + 1).trim());
      } catch {
        throw new Rejected(`the rate for ${item.slice(0, eq)} is not a whole number from 1 to ${MAX_RATE}`);
      }
      const address = formatIp(ip.family, ip.words, 0);
      if (out.some((r) => r.address === address)) throw new Rejected(`${address} is listed twice`);
      out.push({ address, family: ip.family, words: [...ip.words], rate: n });
    }
    if (out.length === 0) throw new Rejected();
    return out;
  },
  format: (v) => v.map((r) => `${r.address}=${r.rate}`).join(","),
};

/** The settings table rows of this file, in `--help` order. */
export const NETFLOW_SETTINGS = {
  netflowListen: setting({
    name: "FLINTNET_NETFLOW_LISTEN",
    description: "UDP address for NetFlow v5 and v9 from routers and firewalls, or off.",
    parser: hostPortOrOff,
    fallback: { hostname: "0.0.0.0", port: 2055 },
  }),
  ipfixListen: setting({
    name: "FLINTNET_IPFIX_LISTEN",
    description: "UDP address for IPFIX (RFC 7011), or off.",
    parser: hostPortOrOff,
    fallback: { hostname: "0.0.0.0", port: 4739 },
  }),
  sflowListen: setting({
    name: "FLINTNET_SFLOW_LISTEN",
    description:
      "UDP address for sFlow v5 from switches (their sampled packets become flow records), or off.",
    parser: hostPortOrOff,
    fallback: { hostname: "0.0.0.0", port: 6343 },
  }),
  bufferMb: setting({
    name: "FLINTNET_NETFLOW_BUFFER_MB",
    description: "Receive buffer of each flow socket in MiB: what a burst can fill while Flintnet is busy " +
      "(kernel memory, used only while datagrams wait).",
    parser: intRange(1, 1024),
    fallback: 32,
  }),
  sampling: setting({
    name: "FLINTNET_NETFLOW_SAMPLING",
    description:
      "Sampling rate per exporter, winning over what it announces (v5 header, v9/IPFIX options): " +
      "its packet and byte counts are multiplied by it.",
    parser: samplingRules,
    defaultText: "none (each exporter's own announcement, else 1)",
  }),
};

/** Reads the collector settings. */
export function netflowSettings(vars: Vars): { netflow: NetflowConfig } {
  const S = NETFLOW_SETTINGS;
  return {
    netflow: {
      netflowListen: value(S.netflowListen, vars),
      ipfixListen: value(S.ipfixListen, vars),
      sflowListen: value(S.sflowListen, vars),
      bufferMb: value(S.bufferMb, vars),
      sampling: read(S.sampling, vars) ?? [],
    },
  };
}
