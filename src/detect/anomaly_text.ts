/**
 * The words of anomaly events: what the subject is, and the one sentence a person reads — which says
 * the three numbers that made it an anomaly (how many times the baseline, how many spreads above it,
 * and the floor), and, when the episode is over, how long it lasted and how much it carried.
 */
import type { AnomalyEvent } from "../events/mod.ts";

/** "1.2 MB", "340.0 kB", "12 B". */
export function fmtBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${Math.round(n)} B`;
}

/** "40 s", "5 min 20 s", "2 h 5 min". */
export function fmtDuration(s: number): string {
  const r = Math.round(s);
  if (r < 60) return `${r} s`;
  if (r < 3600) return r % 60 === 0 ? `${r / 60} min` : `${Math.floor(r / 60)} min ${r % 60} s`;
  const m = Math.round(r / 60);
  return m % 60 === 0 ? `${m / 60} h` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** "TCP", "UDP", "ICMP", "ICMPv6" or "IP proto N". */
export function protoName(p: number): string {
  return p === 6 ? "TCP" : p === 17 ? "UDP" : p === 1 ? "ICMP" : p === 58 ? "ICMPv6" : `IP proto ${p}`;
}

/** "a:1 → b:2 (TCP)", IPv6 bracketed (RFC 5952 §6); ICMP's "ports" are type and code. */
export function endpoints(src: string, dst: string, proto: number, sp: number, dp: number): string {
  if (proto === 1 || proto === 58) return `${src} → ${dst} (${protoName(proto)} type ${sp} code ${dp})`;
  const wrap = (ip: string) => ip.includes(":") ? `[${ip}]` : ip;
  return `${wrap(src)}:${sp} → ${wrap(dst)}:${dp} (${protoName(proto)})`;
}

function times(x: number): string {
  return x >= 10 ? `${Math.round(x)}×` : `${x.toFixed(1)}×`;
}

function spreads(x: number): string {
  return x.toFixed(1);
}

function verb(e: AnomalyEvent): string {
  return e.direction === "received" ? "received" : "sent";
}

function over(e: AnomalyEvent): string {
  return e.scope === "flow" ? "" : ` over ${e.flows} flow${e.flows === 1 ? "" : "s"}`;
}

function usual(e: AnomalyEvent): string {
  const hour = e.baseline.source === "hour_of_day" ? " for this hour of the day" : "";
  return `its usual ${fmtBytes(e.baseline.typical_bytes)}${hour}`;
}

/** The sentence of an open event (every other member already set). */
export function openSentence(e: AnomalyEvent): string {
  const floor = fmtBytes(e.min_bytes), iv = `${e.interval_s} s`;
  if (e.rule === "sustained") {
    return `${e.subject} has ${verb(e)} about ${fmtBytes(e.level_bytes)} per ${iv}${over(e)} over the last ` +
      `minutes, ${times(e.ratio)} ${usual(e)} and ${spreads(e.score)} spreads above it — a lasting rise is ` +
      `an anomaly from ${times(e.ratio_min)} and ${e.k} spreads, and at least ${floor} per ${iv}.`;
  }
  return `${e.subject} ${verb(e)} ${fmtBytes(e.bytes)} in ${iv}${over(e)}, ${times(e.ratio)} ${
    usual(e)
  } and ` +
    `${spreads(e.score)} spreads above it — an anomaly needs ${times(e.ratio_min)} and ${e.k} spreads, and ` +
    `at least ${floor}.`;
}

/** The sentence of a closed event. */
export function closedSentence(e: AnomalyEvent): string {
  const d = fmtDuration(e.duration_s), typical = e.baseline.typical_bytes;
  const peak = `peak ${fmtBytes(e.peak_bytes)} in ${e.interval_s} s` +
    (typical > 0 ? ` (${times(e.peak_bytes / typical)} its usual ${fmtBytes(typical)})` : "");
  const sums = `${fmtBytes(e.total_bytes)} in all, ${fmtBytes(e.excess_bytes)} more than usual`;
  switch (e.close_reason) {
    case "new_normal":
      return `${e.subject} has stayed high for ${d} (${peak}, ${sums}): Flintnet now takes this level as ` +
        "its usual one.";
    case "subject_gone":
      return `${e.subject} ended ${d} into the anomaly (${peak}, ${sums}).`;
    default:
      return `${e.subject} is back to normal after ${d}: ${peak}, ${sums}.`;
  }
}

/** The sentence about episodes not reported before this one; "" when none. */
export function heldBackSentence(same: number, cap: number, holdoffS: number, perMinute: number): string {
  const parts: string[] = [];
  if (same > 0) {
    parts.push(
      `${same} more ${same === 1 ? "anomaly" : "anomalies"} of this ${
        same === 1 ? "subject was" : "subject were"
      } not reported (one per ${fmtDuration(holdoffS)} at most)`,
    );
  }
  if (cap > 0) {
    parts.push(
      `${cap} ${cap === 1 ? "anomaly" : "anomalies"} elsewhere ${cap === 1 ? "was" : "were"} not reported ` +
        `(more than ${perMinute} a minute)`,
    );
  }
  return parts.length === 0 ? "" : `Before this one, ${parts.join("; ")}.`;
}
