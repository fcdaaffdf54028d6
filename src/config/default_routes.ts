/**
 * The machine's default IPv4 routes, from the kernel's table in /proc/net/route (proc_net(5)): which
 * interface carries them (zero configuration picks it to capture on) and which router they go through
 * (the ARP watcher calls an address that is this appliance's own gateway critical when spoofed).
 *
 * Each function takes the table text as an optional parameter so tests feed literal data.
 */
import { formatIpv4 } from "../net/mod.ts";

/** RTF_UP, RTF_GATEWAY (<linux/route.h>). */
const RTF_UP = 0x1, RTF_GATEWAY = 0x2;

/** One default route. */
export interface DefaultRoute {
  /** The interface it leaves through. */
  iface: string;
  /** The next hop, dotted quad; null for a route without a gateway (a point-to-point link). */
  gateway: string | null;
  /** Its metric: the lowest wins. */
  metric: number;
}

/**
 * The default IPv4 routes that are up, lowest metric first (equal metrics keep the table's order).
 *
 * @param routeText contents of `/proc/net/route`; read from the machine when omitted (none when it
 *   cannot be read). Columns are found by their header names; addresses are hex in host byte order.
 */
export function defaultRoutes(routeText?: string): DefaultRoute[] {
  if (routeText === undefined) {
    try {
      // /proc/self/net, not /proc/net: the unit mounts /proc with subset=pid (ProcSubset=pid), which
      // hides the /proc/net link but not this process's own view of its network namespace.
      routeText = Deno.readTextFileSync("/proc/self/net/route");
    } catch {
      return [];
    }
  }
  const lines = routeText.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  if (lines.length === 0) return [];
  const header = lines[0].split(/\s+/);
  const col = (name: string, fallback: number) => {
    const i = header.indexOf(name);
    return i < 0 ? fallback : i;
  };
  const iIface = col("Iface", 0), iDest = col("Destination", 1), iGateway = col("Gateway", 2);
  const iFlags = col("Flags", 3), iMetric = col("Metric", 6), iMask = col("Mask", 7);
  const out: DefaultRoute[] = [];
  for (const line of lines.slice(1)) {
    const f = line.split(/\s+/);
    if (f.length <= Math.max(iIface, iDest, iFlags, iMetric)) continue;
    if (f[iDest] !== "00000000") continue;
    if (f[iMask] !== undefined && f[iMask] !== "00000000") continue;
    const flags = parseInt(f[iFlags], 16);
    if (!Number.isNaN(flags) && (flags & RTF_UP) === 0) continue;
    const metric = Number(f[iMetric]);
    if (!Number.isFinite(metric)) continue;
    const gw = hostOrderIpv4(f[iGateway]);
    const viaGateway = Number.isNaN(flags) || (flags & RTF_GATEWAY) !== 0;
    out.push({
      iface: f[iIface],
      gateway: viaGateway && gw !== null && gw !== 0 ? formatIpv4(gw) : null,
      metric,
    });
  }
  // Array.prototype.sort is stable: equal metrics keep the table's order.
  return out.sort((a, b) => a.metric - b.metric);
}

/** The gateways of the default routes, best first, each once. */
export function defaultGateways(routeText?: string): string[] {
  const out: string[] = [];
  for (const r of defaultRoutes(routeText)) {
    if (r.gateway !== null && !out.includes(r.gateway)) out.push(r.gateway);
  }
  return out;
}

/** "010200C0" (the kernel's host-order hex, little-endian here) → 192.0.2.1 as a number; null if not hex. */
function hostOrderIpv4(hex: string | undefined): number | null {
  if (hex === undefined || !/^[0-9A-Fa-f]{8}$/.test(hex)) return null;
  const v = parseInt(hex, 16);
  // Byte-swap: the kernel prints the address as the little-endian u32 it stores.
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}
