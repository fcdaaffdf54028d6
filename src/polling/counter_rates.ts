/**
 * Rates between two samples of an interface's IF-MIB counters (RFC 2863). Pure: the poller keeps the
 * previous sample and hands both in.
 *
 * - 64-bit HC counters (ifHCInOctets) are preferred when both samples have them; a 10 Gb/s link wraps
 *   a Counter32 in 3.4 s, so 32-bit rates are only a fallback.
 * - A Counter32 that went down wrapped once (RFC 2578 §7.1.6): delta = new + 2³² − old. A Counter64
 *   that went down was reset (it does not wrap in practice): no rate.
 * - When sysUpTime went backwards, or is shorter than the time since the last poll, the agent restarted
 *   and its counters started again from zero: that interval has no rate at all rather than a huge one. An
 *   uptime that merely advanced less than the clock (an agent that updates it seldom, or never) is no
 *   restart: the counters still count, and the rate is over the poller's clock.
 */

const TWO_32 = 4294967296;

/** One interface's counters at one moment. `null` where the agent does not have the object. */
export interface CounterSample {
  /** When the sample was taken, poller clock, ms. */
  atMs: number;
  /** The agent's sysUpTime at that poll, hundredths of a second. */
  sysUpTimeCs: number;
  /** ifHCInOctets. */
  hcInOctets: bigint | null;
  /** ifHCOutOctets. */
  hcOutOctets: bigint | null;
  /** ifInOctets (Counter32). */
  inOctets: number | null;
  /** ifOutOctets (Counter32). */
  outOctets: number | null;
  /** ifInErrors (Counter32). */
  inErrors: number | null;
  /** ifOutErrors (Counter32). */
  outErrors: number | null;
  /** ifInDiscards (Counter32). */
  inDiscards: number | null;
}

/** Rates over the interval between two samples; null where there is no rate (first poll, reset, absent). */
export interface InterfaceRates {
  /** Inbound bits per second (octets × 8), a whole number. */
  in_bps: number | null;
  /** Outbound bits per second. */
  out_bps: number | null;
  /** Inbound utilisation, 0–100 to a thousandth; null without a speed. */
  in_util_pct: number | null;
  /** Outbound utilisation, 0–100. */
  out_util_pct: number | null;
  /** ifInErrors per second, to a thousandth. */
  in_errors_per_s: number | null;
  /** ifOutErrors per second. */
  out_errors_per_s: number | null;
  /** ifInDiscards per second. */
  in_discards_per_s: number | null;
  /** Which octet counters the rates use (or, on a first poll, would use). */
  counters: "hc64" | "c32" | null;
}

/** No rates: the first poll, or an interval with a reset. */
function noRates(counters: InterfaceRates["counters"]): InterfaceRates {
  return {
    in_bps: null,
    out_bps: null,
    in_util_pct: null,
    out_util_pct: null,
    in_errors_per_s: null,
    out_errors_per_s: null,
    in_discards_per_s: null,
    counters,
  };
}

/**
 * The rates from `prev` to `cur` for an interface of `speedBps` bits per second (null when unknown).
 * Without `prev` (first poll) every rate is null.
 */
export function interfaceRates(
  prev: CounterSample | undefined,
  cur: CounterSample,
  speedBps: number | null,
): InterfaceRates {
  const hc = cur.hcInOctets !== null && cur.hcOutOctets !== null &&
    (prev === undefined || (prev.hcInOctets !== null && prev.hcOutOctets !== null));
  const c32 = cur.inOctets !== null && cur.outOctets !== null;
  const counters = hc ? "hc64" : c32 ? "c32" : null;
  if (prev === undefined) return noRates(counters);
  const seconds = (cur.atMs - prev.atMs) / 1000;
  if (!(seconds > 0) || agentRestarted(prev.sysUpTimeCs, cur.sysUpTimeCs, cur.atMs - prev.atMs)) {
    return noRates(counters);
  }
  let inDelta: number | null = null;
  let outDelta: number | null = null;
  if (counters === "hc64") {
    inDelta = counter64Delta(prev.hcInOctets!, cur.hcInOctets!);
    outDelta = counter64Delta(prev.hcOutOctets!, cur.hcOutOctets!);
  } else if (counters === "c32") {
    inDelta = plausible32(counter32Delta(prev.inOctets, cur.inOctets), seconds, speedBps);
    outDelta = plausible32(counter32Delta(prev.outOctets, cur.outOctets), seconds, speedBps);
  }
  // Rounded where they are made, for every output alike (API, CSV, metrics, sinks): a whole bit per second, a
  // thousandth of an error per second (one error in a 5-minute poll still shows)
  const perS = (d: number | null) => d === null ? null : Math.round((d / seconds) * 1000) / 1000;
  const bitsPerS = (d: number | null) => d === null ? null : Math.round((d * 8) / seconds);
  const inBps = bitsPerS(inDelta);
  const outBps = bitsPerS(outDelta);
  return {
    in_bps: inBps,
    out_bps: outBps,
    in_util_pct: inBps === null ? null : utilisationPct(inBps, speedBps),
    out_util_pct: outBps === null ? null : utilisationPct(outBps, speedBps),
    in_errors_per_s: perS(counter32Delta(prev.inErrors, cur.inErrors)),
    out_errors_per_s: perS(counter32Delta(prev.outErrors, cur.outErrors)),
    in_discards_per_s: perS(counter32Delta(prev.inDiscards, cur.inDiscards)),
    counters,
  };
}

/** Increase of a Counter32, assuming one wrap when it went down; null when either sample lacks it. */
export function counter32Delta(prev: number | null, cur: number | null): number | null {
  if (prev === null || cur === null) return null;
  return cur >= prev ? cur - prev : cur + TWO_32 - prev;
}

/** Increase of a Counter64; null when it went down (a reset: 2⁶⁴ octets do not pass between polls). */
export function counter64Delta(prev: bigint, cur: bigint): number | null {
  return cur >= prev ? Number(cur - prev) : null;
}

/**
 * A Counter32 octet delta that, read as one wrap, would mean more than the line can carry (110 % of
 * its speed over the interval) was a reset, not a wrap: no rate.
 */
function plausible32(delta: number | null, seconds: number, speedBps: number | null): number | null {
  if (delta === null || speedBps === null || speedBps <= 0) return delta;
  return (delta * 8) / seconds > speedBps * 1.1 ? null : delta;
}

/**
 * True when the agent restarted between two polls `elapsedMs` apart: its sysUpTime went backwards, or it
 * has been up for less than the time since the last poll, by more than the larger of 10 s and a quarter of
 * that time (room for the moments within each poll at which uptime and counters were read). Not when the
 * uptime only advanced less than the clock while being longer than the interval: that agent was up all along.
 */
export function agentRestarted(prevUptimeCs: number, curUptimeCs: number, elapsedMs: number): boolean {
  if (curUptimeCs < prevUptimeCs) return true;
  const upS = curUptimeCs / 100;
  const elapsedS = elapsedMs / 1000;
  return upS + Math.max(10, elapsedS / 4) < elapsedS;
}

/** bits/s as a percentage of `speedBps` to a thousandth, clamped to 0–100; null without a speed. */
export function utilisationPct(bitsPerS: number, speedBps: number | null): number | null {
  if (speedBps === null || !(speedBps > 0)) return null;
  return Math.min(100, Math.max(0, Math.round((bitsPerS * 100_000) / speedBps) / 1000));
}
