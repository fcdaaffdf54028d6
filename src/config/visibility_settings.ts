/**
 * The FLINTNET_* settings of deep visibility (docs/visibility.md): names on flows from DNS, TLS and HTTP,
 * and TCP health with its retransmission-rate rule.
 */
import { absolutePath, duration, intRange, list, numberRange } from "./parsers.ts";
import { read, setting, value, type Vars } from "./setting.ts";

/** Resolved visibility settings. */
export interface VisibilityConfig {
  /** Share of a TCP flow's segments retransmitted in an interval that raises an anomaly, 0–1. */
  retransRate: number;
  /** Segments a flow must send in the interval before its rate counts. */
  retransMinSegments: number;
  /** DNS queries kept per host for GET /devices/:ip. */
  dnsHistory: number;
  /** Hosts whose DNS history is kept (the least recently active is forgotten first). */
  dnsHosts: number;
  /** Block-list files (docs/visibility.md), absolute paths; empty when none. */
  blocklists: string[];
  /** Seconds between looks at the block lists' modification times. */
  blocklistReloadS: number;
  /** Attack score (0–1) at which a source raises an anomaly with rule attack. */
  attackScore: number;
  /** Half-open TCP flows a source makes in an interval for a full-strength syn_flood signal. */
  attackSynMin: number;
}

/** Comma-separated absolute paths of block-list files. */
const pathList = list(
  "comma-separated absolute paths of block-list files, each once",
  (p) => absolutePath.parse(p),
);

/** The settings table rows of this file, in `--help` order. */
export const VISIBILITY_SETTINGS = {
  retransRate: setting({
    name: "FLINTNET_TCP_RETRANS_RATE",
    description:
      "A TCP flow that retransmits this share of its segments in an anomaly interval (0–1) raises " +
      "an anomaly with rule retransmissions.",
    parser: numberRange(0.001, 1),
    fallback: 0.05,
  }),
  retransMinSegments: setting({
    name: "FLINTNET_TCP_RETRANS_MIN_SEGMENTS",
    description: "Segments a TCP flow must send in the interval before its retransmission rate counts.",
    parser: intRange(1, 1_000_000),
    fallback: 50,
  }),
  dnsHistory: setting({
    name: "FLINTNET_DNS_HISTORY",
    description: "DNS queries kept per host (GET /devices/:ip shows them).",
    parser: intRange(1, 10_000),
    fallback: 100,
  }),
  dnsHosts: setting({
    name: "FLINTNET_DNS_HOSTS",
    description: "Hosts whose DNS history is kept; the one quiet the longest is forgotten first.",
    parser: intRange(1, 1_000_000),
    fallback: 4096,
  }),
  blocklists: setting({
    name: "FLINTNET_BLOCKLISTS",
    description:
      "Block-list files: one address, network (CIDR) or range a line, # and ; comments (Spamhaus DROP, " +
      "FireHOL netsets). A flow to or from a listed address raises a security event and is flagged in /flows.",
    parser: pathList,
    defaultText: "none",
  }),
  blocklistReloadS: setting({
    name: "FLINTNET_BLOCKLIST_RELOAD",
    description: "How often the block-list files are looked at; a changed file is read again.",
    parser: duration(1, 86_400),
    fallback: 60,
  }),
  attackScore: setting({
    name: "FLINTNET_ATTACK_SCORE",
    description:
      "Attack score (0–1, from SYNs without handshake, tiny packets, low TTL, sequence gaps and volume) at " +
      "which a source raises an anomaly with rule attack. Known-good traffic: attack-allowlist.txt in the state directory.",
    parser: numberRange(0.05, 1),
    fallback: 0.7,
  }),
  attackSynMin: setting({
    name: "FLINTNET_ATTACK_SYN_MIN",
    description:
      "TCP handshakes a source starts and never completes in an anomaly interval for a full-strength SYN-flood signal.",
    parser: intRange(4, 10_000_000),
    fallback: 100,
  }),
};

/** Reads the visibility settings. */
export function visibilitySettings(vars: Vars): VisibilityConfig {
  const S = VISIBILITY_SETTINGS;
  return {
    retransRate: value(S.retransRate, vars),
    retransMinSegments: value(S.retransMinSegments, vars),
    dnsHistory: value(S.dnsHistory, vars),
    dnsHosts: value(S.dnsHosts, vars),
    blocklists: read(S.blocklists, vars) ?? [],
    blocklistReloadS: value(S.blocklistReloadS, vars),
    attackScore: value(S.attackScore, vars),
    attackSynMin: value(S.attackSynMin, vars),
  };
}
