/**
 * How numbers, sizes, rates and times are shown: one place, so every screen says "1.2 MB" the same way.
 * Pure functions; unit-tested in format_test.ts.
 *
 * @module
 */

const SI = ["", "k", "M", "G", "T", "P"];

/** 1234 → "1.2 k": a value scaled by 1000 with one decimal below 10 and none above 100. */
function scaled(n: number, unit: string): string {
  if (!Number.isFinite(n)) return "–";
  let i = 0;
  let v = Math.abs(n);
  while (v >= 1000 && i < SI.length - 1) {
    v /= 1000;
    i++;
  }
  const digits = v >= 100 || i === 0 ? 0 : v >= 10 ? 1 : 2;
  const text = (n < 0 ? -v : v).toFixed(digits).replace(/\.0+$/, "");
  return `${text} ${SI[i]}${unit}`;
}

/** Octets as "98.8 kB" (decimal units, as the README and the anomaly reasons use them). */
export function formatBytes(n: number | null | undefined): string {
  return n === null || n === undefined ? "–" : scaled(n, "B");
}

/** Bits per second as "12.5 Mbit/s". */
export function formatBps(n: number | null | undefined): string {
  return n === null || n === undefined ? "–" : scaled(n, "bit/s");
}

/** A rate of things per second as "1.2 k/s". */
export function formatRate(n: number | null | undefined, unit = "/s"): string {
  return n === null || n === undefined ? "–" : scaled(n, "").trimEnd() + unit;
}

/** A count with thousands separators: "100,000". */
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? "–" : Math.round(n).toLocaleString("en-US");
}

/** A percentage with one decimal below 10: "7.5 %", "63 %". */
export function formatPct(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "–";
  return `${n < 10 ? n.toFixed(1).replace(/\.0$/, "") : Math.round(n)} %`;
}

/** IANA protocol numbers the dashboard names (RFC 790 / IANA protocol-numbers). */
const PROTOCOLS: Record<number, string> = {
  1: "ICMP",
  6: "TCP",
  17: "UDP",
  47: "GRE",
  50: "ESP",
  58: "ICMPv6",
  132: "SCTP",
};

/** 6 → "TCP"; unknown numbers as themselves. */
export function protocolName(p: number): string {
  return PROTOCOLS[p] ?? String(p);
}

/** An address and port as "10.0.0.1:443", IPv6 in brackets. */
export function endpoint(ip: string, port: number): string {
  return ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** An ISO time as local "2026-11-22 08:01:02". */
export function formatTime(iso: string | number | null | undefined): string {
  if (iso === null || iso === undefined) return "–";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "–";
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${
    pad(d.getMinutes())
  }:${pad(d.getSeconds())}`;
}

/** Local "08:01:02" of an ISO time or epoch ms. */
export function formatClock(t: string | number): string {
  const d = new Date(t);
  return Number.isNaN(d.getTime())
    ? "–"
    : `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * Seconds as "3 s", "4 min 5 s", "2 h 10 min", "3 d 4 h"; under a second in milliseconds ("38 ms", "< 1 ms"),
 * since most flows of a request and its answer last that long and "0 s" would hide how long.
 */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "–";
  if (seconds > 0 && seconds < 0.9995) {
    return seconds < 0.0005 ? "< 1 ms" : `${Math.round(seconds * 1000)} ms`;
  }
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
  if (s < 86400) {
    return `${Math.floor(s / 3600)} h${s % 3600 >= 60 ? ` ${Math.floor((s % 3600) / 60)} min` : ""}`;
  }
  return `${Math.floor(s / 86400)} d${s % 86400 >= 3600 ? ` ${Math.floor((s % 86400) / 3600)} h` : ""}`;
}

/** How long ago `t` was, from `now`: "12 s ago". */
export function formatAgo(t: string | number, now: number = Date.now()): string {
  const ms = typeof t === "number" ? t : Date.parse(t);
  if (!Number.isFinite(ms)) return "–";
  return `${formatDuration((now - ms) / 1000)} ago`;
}
