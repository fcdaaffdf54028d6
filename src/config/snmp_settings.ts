/**
 * The FLINTNET_* settings of discovery, SNMP polling and the trap receiver: which networks get which
 * credentials (SNMPv2c communities or SNMPv3 users per network, longest prefix wins), how patient a
 * request is, how often devices are polled and networks swept.
 */
import {
  cidrList,
  duration,
  hostPort,
  intRange,
  type ListenAddress,
  type Parser,
  Rejected,
} from "./parsers.ts";
import { read, setting, value, type Vars } from "./setting.ts";
import type { SnmpCredentials, SnmpV3Credentials } from "../snmp/mod.ts";

/** Credentials for one network. */
export interface CredentialRule {
  /** Network in CIDR form. */
  cidr: string;
  /** What to use for addresses inside it. */
  credentials: SnmpCredentials;
}

/** Resolved SNMP settings. */
export interface SnmpConfig {
  /** UDP port agents listen on. */
  port: number;
  /** Per-request timeout in milliseconds. */
  timeoutMs: number;
  /** Retries after the first try. */
  retries: number;
  /** Seconds between polls of every SNMP device. */
  pollIntervalS: number;
  /** Used where no rule matches: SNMPv2c with FLINTNET_SNMP_COMMUNITY. */
  defaultCredentials: SnmpCredentials;
  /** Per-network credentials, v2c communities first, then v3 users (v3 wins for the same network). */
  rules: CredentialRule[];
}

/** Resolved discovery settings. */
export interface DiscoveryConfig {
  /** Seconds between sweeps; 0 = only at start and on POST /discovery. */
  intervalS: number;
  /** Addresses probed at once. */
  concurrency: number;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000 };

/** Milliseconds from `min` to `max`, written as 500ms or 2s (a bare number is seconds, like every duration). */
function millis(min: number, max: number): Parser<number> {
  return {
    accepted: `a time from ${min}ms to ${max / 1000}s, e.g. 500ms or 2s`,
    parse(text) {
      const m = /^(\d{1,7})(ms|s)?$/.exec(text);
      if (!m) throw new Rejected();
      const ms = Number(m[1]) * UNIT_MS[m[2] ?? "s"];
      if (ms < min || ms > max) throw new Rejected();
      return ms;
    },
    format: (v) => v % 1000 === 0 ? `${v / 1000}s` : `${v}ms`,
  };
}

/** One network, host bits cleared. */
function oneCidr(text: string): string {
  const [cidr] = cidrList.parse(text);
  return cidr;
}

/** Splits `cidr=rest` at the first "=". */
function splitRule(item: string): [string, string] {
  const eq = item.indexOf("=");
  if (eq <= 0 || eq === item.length - 1) {
    throw new Rejected(`${JSON.stringify(item.split("=")[0])}… is not network=value`);
  }
  return [item.slice(0, eq).trim(), item.slice(eq + 1).trim()];
}

/** A community: printable ASCII without spaces or commas, 1–64 characters. */
function community(text: string): string {
  if (!/^[\x21-\x2b\x2d-\x7e]{1,64}$/.test(text)) {
    throw new Rejected("a community is 1 to 64 printable characters without spaces or commas");
  }
  return text;
}

/** The SNMPv2c community for addresses no rule covers; `format` never shows it. */
const communityParser: Parser<string> = {
  accepted: "1 to 64 printable characters without spaces or commas",
  parse: community,
  format: (v) => v === "public" ? "public" : "[redacted]",
};

/** `cidr=community,…`. */
const communityRules: Parser<CredentialRule[]> = {
  accepted: "comma-separated network=community pairs, e.g. 10.1.0.0/16=s3cret,10.2.0.0/24=other",
  parse(text) {
    return text.split(",").map((p) => p.trim()).filter((p) => p !== "").map((item) => {
      const [net, c] = splitRule(item);
      return { cidr: oneCidr(net), credentials: { version: "v2c", community: community(c) } };
    });
  },
  format: () => "[redacted]",
};

const AUTH = ["md5", "sha", "sha224", "sha256", "sha384", "sha512"] as const;
const PRIV = ["none", "des", "aes", "aes256b", "aes256r"] as const;

function percentDecoded(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new Rejected(`the ${what} has a bad %-escape`);
  }
}

/** `cidr=user:auth:authkey:priv:privkey,…` (parts %-encoded when they hold : , or =). */
const v3Rules: Parser<CredentialRule[]> = {
  accepted: "comma-separated network=user:auth:authkey:priv:privkey entries with auth one of " +
    `${AUTH.join(", ")} and priv one of ${PRIV.join(", ")} (keys of 8 characters or more; %-encode : , = ` +
    "inside a part), e.g. 10.0.0.0/8=monitor:sha:authpass1:aes:privpass1",
  parse(text) {
    return text.split(",").map((p) => p.trim()).filter((p) => p !== "").map((item) => {
      const [net, rest] = splitRule(item);
      const parts = rest.split(":");
      if (parts.length !== 5 && !(parts.length === 3)) {
        throw new Rejected(`the entry for ${net} has ${parts.length} parts, not 5 (or 3 without privacy)`);
      }
      const [user, auth, authKey, priv = "none", privKey = ""] = parts;
      const authProtocol = auth.toLowerCase() as SnmpV3Credentials["authProtocol"];
      const privProtocol = priv.toLowerCase() as SnmpV3Credentials["privProtocol"];
      if (!AUTH.includes(authProtocol)) throw new Rejected(`${JSON.stringify(auth)} is not an auth protocol`);
      if (!PRIV.includes(privProtocol)) {
        throw new Rejected(`${JSON.stringify(priv)} is not a privacy protocol`);
      }
      const credentials: SnmpV3Credentials = {
        version: "v3",
        user: percentDecoded(user, "user"),
        authProtocol,
        authKey: percentDecoded(authKey, "auth key"),
        privProtocol,
        privKey: percentDecoded(privKey, "privacy key"),
      };
      // RFC 3414 §11.2: passphrases shorter than 8 characters are refused by agents.
      if (credentials.user === "") throw new Rejected(`the entry for ${net} has no user`);
      if (credentials.authKey.length < 8) throw new Rejected(`the auth key for ${net} is shorter than 8`);
      if (privProtocol !== "none" && credentials.privKey.length < 8) {
        throw new Rejected(`the privacy key for ${net} is shorter than 8`);
      }
      return { cidr: oneCidr(net), credentials };
    });
  },
  format: () => "[redacted]",
};

/** The trap listener's address, or "off". */
const trapListen: Parser<ListenAddress | null> = {
  accepted: `off, or ${hostPort.accepted}`,
  parse: (text) => text.toLowerCase() === "off" ? null : hostPort.parse(text),
  format: (v) => v === null ? "off" : hostPort.format(v),
};

/** The settings table rows of this file, in `--help` order. */
export const SNMP_SETTINGS = {
  discoveryInterval: setting({
    name: "FLINTNET_DISCOVERY_INTERVAL",
    description: "How often the local networks are swept for devices (ARP and SNMP); 0 sweeps only at " +
      "start and on POST /discovery.",
    parser: duration(0, 604800),
    fallback: 3600,
  }),
  discoveryConcurrency: setting({
    name: "FLINTNET_DISCOVERY_CONCURRENCY",
    description: "Addresses probed at once during a sweep and devices polled at once.",
    parser: intRange(1, 1024),
    fallback: 64,
  }),
  community: setting({
    name: "FLINTNET_SNMP_COMMUNITY",
    description: "SNMPv2c community for networks without their own in FLINTNET_SNMP_COMMUNITIES or _V3.",
    parser: communityParser,
    fallback: "public",
    secret: true,
  }),
  communities: setting({
    name: "FLINTNET_SNMP_COMMUNITIES",
    description: "SNMPv2c communities per network (the longest matching prefix wins).",
    parser: communityRules,
    defaultText: "none",
    secret: true,
  }),
  v3: setting({
    name: "FLINTNET_SNMP_V3",
    description: "SNMPv3 users per network (authPriv or authNoPriv); a network listed here is never " +
      "queried with a community.",
    parser: v3Rules,
    defaultText: "none",
    secret: true,
  }),
  port: setting({
    name: "FLINTNET_SNMP_PORT",
    description: "UDP port of the SNMP agents.",
    parser: intRange(1, 65535),
    fallback: 161,
  }),
  timeout: setting({
    name: "FLINTNET_SNMP_TIMEOUT",
    description: "How long to wait for each SNMP answer.",
    parser: millis(50, 60_000),
    fallback: 1000,
  }),
  retries: setting({
    name: "FLINTNET_SNMP_RETRIES",
    description: "SNMP retries after the first try.",
    parser: intRange(0, 5),
    fallback: 1,
  }),
  pollInterval: setting({
    name: "FLINTNET_SNMP_POLL_INTERVAL",
    description: "How often every SNMP device is polled (interfaces, CPU, memory, ARP table).",
    parser: duration(10, 86400),
    fallback: 60,
  }),
  trapListen: setting({
    name: "FLINTNET_TRAP_LISTEN",
    description: "UDP address for SNMP traps and informs (v1, v2c), or off.",
    parser: trapListen,
    fallback: { hostname: "0.0.0.0", port: 162 },
  }),
};

/** Reads the SNMP, discovery and trap settings. */
export function snmpSettings(vars: Vars): {
  snmp: SnmpConfig;
  discovery: DiscoveryConfig;
  trapListen: ListenAddress | null;
} {
  const S = SNMP_SETTINGS;
  const rules = [...(read(S.communities, vars) ?? []), ...(read(S.v3, vars) ?? [])];
  return {
    snmp: {
      port: value(S.port, vars),
      timeoutMs: value(S.timeout, vars),
      retries: value(S.retries, vars),
      pollIntervalS: value(S.pollInterval, vars),
      defaultCredentials: { version: "v2c", community: value(S.community, vars) },
      rules,
    },
    discovery: {
      intervalS: value(S.discoveryInterval, vars),
      concurrency: value(S.discoveryConcurrency, vars),
    },
    trapListen: value(S.trapListen, vars),
  };
}
