/**
 * Interfaces of one device from IF-MIB (RFC 2863): ifTable for identity, status and 32-bit counters,
 * ifXTable for names, aliases, 64-bit counters and high speeds. One poller per device: it keeps the
 * previous sample of every interface, so each poll reports rates over the interval since the last.
 */
import type { InterfaceJson, InterfaceStatus } from "../events/mod.ts";
import { type SnmpSession, type SnmpValue, type TablePresence, textOf, walkTables } from "../snmp/mod.ts";
import { type CounterSample, interfaceRates } from "./counter_rates.ts";

/** ifEntry (IF-MIB::ifTable.1). */
export const IF_ENTRY = "1.3.6.1.2.1.2.2.1";
/** ifXEntry (IF-MIB::ifXTable.1). */
export const IFX_ENTRY = "1.3.6.1.2.1.31.1.1.1";

/** ifEntry columns (IF-MIB). */
const IF = {
  descr: 2,
  type: 3,
  speed: 5,
  adminStatus: 7,
  operStatus: 8,
  inOctets: 10,
  inDiscards: 13,
  inErrors: 14,
  outOctets: 16,
  outErrors: 20,
} as const;

/** ifXEntry columns (IF-MIB). */
const IFX = { name: 1, hcInOctets: 6, hcOutOctets: 10, highSpeed: 15, alias: 18 } as const;

const IF_COLUMNS: readonly number[] = Object.values(IF);
const IFX_COLUMNS: readonly number[] = Object.values(IFX);

/** Interfaces read per device unless told otherwise: a 10,000-port chassis fits, a hostile agent is capped. */
export const DEFAULT_MAX_INTERFACES = 20_000;

/** IANAifType-MIB names of the interface types seen on the devices Flintnet polls. */
const IF_TYPE_NAMES: Record<number, string> = {
  1: "other",
  6: "ethernetCsmacd",
  9: "iso88025TokenRing",
  15: "fddi",
  18: "ds1",
  22: "propPointToPointSerial",
  23: "ppp",
  24: "softwareLoopback",
  30: "ds3",
  32: "frameRelay",
  37: "atm",
  39: "sonet",
  49: "aal5",
  53: "propVirtual",
  62: "fastEther",
  63: "isdn",
  69: "fastEtherFX",
  71: "ieee80211",
  94: "adsl",
  97: "vdsl",
  117: "gigabitEthernet",
  118: "hdlc",
  131: "tunnel",
  135: "l2vlan",
  136: "l3ipvlan",
  150: "mplsTunnel",
  161: "ieee8023adLag",
  166: "mpls",
  169: "shdsl",
  171: "pos",
  209: "bridge",
  237: "ieee80216WMAN",
  243: "wwanPP",
  244: "wwanPP2",
  250: "gpon",
};

/** The ifType name for a number (IANAifType-MIB), else the number as text. */
export function ifTypeName(n: number): string {
  return IF_TYPE_NAMES[n] ?? String(n);
}

const IF_STATUS: Record<number, InterfaceStatus> = {
  1: "up",
  2: "down",
  3: "testing",
  4: "unknown",
  5: "dormant",
  6: "not_present",
  7: "lower_layer_down",
};

/** ifOperStatus / ifAdminStatus number → name (IF-MIB); anything else is "unknown". */
export function oidToIfStatus(n: number): InterfaceStatus {
  return IF_STATUS[n] ?? "unknown";
}

/** Options of {@link InterfacePoller}. */
export interface InterfacePollerOptions {
  /** Rows read per table at most. @default 20_000 */
  maxInterfaces?: number;
}

/** Polls one device's interfaces and remembers the last sample of each for rates. */
export class InterfacePoller {
  readonly #maxInterfaces: number;
  #prev = new PreviousSamples(0, 0, []);

  constructor(options: InterfacePollerOptions = {}) {
    const max = options.maxInterfaces ?? DEFAULT_MAX_INTERFACES;
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`maxInterfaces ${max} is not valid; accepted: a whole number ≥ 1`);
    }
    this.#maxInterfaces = max;
  }

  /**
   * Reads the needed ifTable columns, then the ifXTable ones (row by row, one request at a time), and
   * returns every interface by ifIndex, with rates since the previous poll. `sysUpTimeCs` is the agent's
   * uptime read in the same poll; `nowMs` the poller's clock. With `tables`, a table the agent lacked
   * is asked for only on recheck polls. An interface in only one of the two tables is still reported.
   * Rejects with the session's SnmpError when a walk fails.
   */
  async poll(
    s: SnmpSession,
    sysUpTimeCs: number,
    nowMs: number,
    tables?: TablePresence,
  ): Promise<InterfaceJson[]> {
    const max = this.#maxInterfaces;
    const [ifRows] = await walkTables(
      s,
      [{ name: "ifTable", entry: IF_ENTRY, columns: IF_COLUMNS }],
      max,
      tables,
    );
    const [ifxRows] = await walkTables(
      s,
      [{ name: "ifXTable", entry: IFX_ENTRY, columns: IFX_COLUMNS }],
      max,
      tables,
    );
    const out: InterfaceJson[] = [];
    const next: [number, CounterSample][] = [];
    const keys = new Set(ifRows.keys());
    for (const key of ifxRows.keys()) if (keys.size < max) keys.add(key);
    for (const key of keys) {
      const index = Number(key);
      if (!Number.isSafeInteger(index) || key.includes(".")) continue;
      const row = ifRows.get(key);
      const x = ifxRows.get(key);
      const col = (c: number) => row?.get(c);
      const xcol = (c: number) => x?.get(c);
      const sample: CounterSample = {
        atMs: nowMs,
        sysUpTimeCs,
        hcInOctets: big(xcol(IFX.hcInOctets)),
        hcOutOctets: big(xcol(IFX.hcOutOctets)),
        inOctets: num(col(IF.inOctets)),
        outOctets: num(col(IF.outOctets)),
        inErrors: num(col(IF.inErrors)),
        outErrors: num(col(IF.outErrors)),
        inDiscards: num(col(IF.inDiscards)),
      };
      const speed = speedBps(num(xcol(IFX.highSpeed)), num(col(IF.speed)));
      const rates = interfaceRates(this.#prev.get(index), sample, speed);
      next.push([index, sample]);
      const name = textOf(xcol(IFX.name));
      const type = num(col(IF.type));
      const admin = num(col(IF.adminStatus));
      const oper = num(col(IF.operStatus));
      // Every member spelled out, not `...rates`: members a spread adds after the literal's own go to a
      // separate property array, about 90 bytes more for each interface the registry keeps.
      out.push({
        index,
        name: name !== "" ? name : textOf(col(IF.descr)),
        alias: textOf(xcol(IFX.alias)),
        type: type === null ? "" : ifTypeName(type),
        speed_bps: speed,
        oper_status: oper === null ? "unknown" : oidToIfStatus(oper),
        admin_status: admin === null ? "unknown" : oidToIfStatus(admin),
        in_util_pct: rates.in_util_pct,
        out_util_pct: rates.out_util_pct,
        in_bps: rates.in_bps,
        out_bps: rates.out_bps,
        in_errors_per_s: rates.in_errors_per_s,
        out_errors_per_s: rates.out_errors_per_s,
        in_discards_per_s: rates.in_discards_per_s,
        counters: rates.counters,
      });
    }
    // Interfaces that disappeared (a removed VLAN, a re-indexed agent) take their old sample with them.
    this.#prev = new PreviousSamples(nowMs, sysUpTimeCs, next);
    out.sort((a, b) => a.index - b.index);
    return out;
  }
}

/**
 * The last sample of every interface of one device, packed into typed arrays: a poller lives as long as
 * its device, and a sample object per interface (with its own bigints and timestamp) cost about 150
 * bytes each, a third of what a polled 24-port switch kept. Absent counters are NaN; a Counter64 that
 * does not fit 64 bits (only a broken agent sends one) is kept as absent.
 */
class PreviousSamples {
  readonly #atMs: number;
  readonly #sysUpTimeCs: number;
  /** ifIndex of each slot, ascending. */
  readonly #index: Float64Array;
  /** inOctets, outOctets, inErrors, outErrors, inDiscards of each slot. */
  readonly #c32: Float64Array;
  /** hcInOctets, hcOutOctets of each slot. */
  readonly #hc: BigUint64Array;
  /** Bit 0: hcInOctets present; bit 1: hcOutOctets present. */
  readonly #hcPresent: Uint8Array;

  /** `samples` share `atMs` and `sysUpTimeCs` (one poll); any order. */
  constructor(atMs: number, sysUpTimeCs: number, samples: [number, CounterSample][]) {
    this.#atMs = atMs;
    this.#sysUpTimeCs = sysUpTimeCs;
    const n = samples.length;
    const sorted = samples.slice().sort((a, b) => a[0] - b[0]);
    this.#index = new Float64Array(n);
    this.#c32 = new Float64Array(n * 5);
    this.#hc = new BigUint64Array(n * 2);
    this.#hcPresent = new Uint8Array(n);
    sorted.forEach(([index, x], k) => {
      this.#index[k] = index;
      this.#c32.set(
        [x.inOctets, x.outOctets, x.inErrors, x.outErrors, x.inDiscards].map((v) => v ?? NaN),
        k * 5,
      );
      for (const [bit, v] of [x.hcInOctets, x.hcOutOctets].entries()) {
        if (v === null || v < 0n || v > 0xffff_ffff_ffff_ffffn) continue;
        this.#hc[k * 2 + bit] = v;
        this.#hcPresent[k] |= 1 << bit;
      }
    });
  }

  /** The sample of `index`, or undefined when the last poll did not see it. */
  get(index: number): CounterSample | undefined {
    let lo = 0, hi = this.#index.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#index[mid] < index) lo = mid + 1;
      else hi = mid;
    }
    if (lo >= this.#index.length || this.#index[lo] !== index) return undefined;
    const c = (i: number) => {
      const v = this.#c32[lo * 5 + i];
      return Number.isNaN(v) ? null : v;
    };
    const hc = (bit: number) => (this.#hcPresent[lo] & (1 << bit)) ? this.#hc[lo * 2 + bit] : null;
    return {
      atMs: this.#atMs,
      sysUpTimeCs: this.#sysUpTimeCs,
      hcInOctets: hc(0),
      hcOutOctets: hc(1),
      inOctets: c(0),
      outOctets: c(1),
      inErrors: c(2),
      outErrors: c(3),
      inDiscards: c(4),
    };
  }
}

/** ifHighSpeed (Mb/s) when the agent has a non-zero one, else ifSpeed (b/s); null when neither is above 0. */
export function speedBps(highSpeedMbps: number | null, ifSpeed: number | null): number | null {
  if (highSpeedMbps !== null && highSpeedMbps > 0) return highSpeedMbps * 1_000_000;
  if (ifSpeed !== null && ifSpeed > 0) return ifSpeed;
  return null;
}

function num(v: SnmpValue | undefined): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function big(v: SnmpValue | undefined): bigint | null {
  return typeof v === "bigint" ? v : null;
}
