/**
 * Device type icons, drawn in SVG with the current text colour, and the shapes the graphs give each type.
 * The tables are keyed by the daemon's own `DeviceType` and `NodeType` unions, so a type the daemon adds
 * without an icon and a name here fails `deno check`.
 *
 * @module
 */
import { html } from "../html.ts";
import type { DeviceType, NodeType } from "../types.ts";

/** 24 × 24 outline drawings by node type (every device type, plus hosts and Flintnet itself). */
const PATHS: Record<NodeType, string> = {
  router: "M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18M8 9l4-3l4 3M8 15l4 3l4-3M12 6v12",
  switch: "M3 7h18v10H3zM6 11h2M10 11h2M14 11h2M6 14h2M10 14h2M14 14h2",
  firewall: "M3 5h18v14H3zM3 10h18M3 15h18M9 5v5M15 10v5M9 15v4",
  access_point: "M12 20v-6M8 14h8M6.5 9.5a8 8 0 0 1 11 0M9 12a4.5 4.5 0 0 1 6 0M4 7a11.5 11.5 0 0 1 16 0",
  server: "M5 3h14v6H5zM5 9h14v6H5zM5 15h14v6H5zM8 6h1M8 12h1M8 18h1",
  workstation: "M3 4h18v12H3zM9 20h6M12 16v4",
  printer: "M7 3h10v5H7zM4 8h16v8H4zM7 13h10v8H7z",
  storage: "M4 6a8 3 0 1 0 16 0a8 3 0 1 0-16 0M4 6v12a8 3 0 0 0 16 0V6M4 12a8 3 0 0 0 16 0",
  ups: "M6 4h12v17H6zM13 7l-3 5h4l-3 5",
  phone: "M8 2h8v20H8zM11 18h2",
  hypervisor: "M3 3h18v18H3zM6 6h5v5H6zM13 6h5v5h-5zM6 13h5v5H6zM13 13h5v5h-5z",
  unknown: "M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.7.3-1 .9-1 1.7M12 17h.01",
  host: "M4 5h16v10H4zM2 19h20",
  flintnet: "M12 3l8 4.5v9L12 21l-8-4.5v-9zM12 8v8M9 11h6",
};

/** Human names of the device types, in the API's order (the Devices filter lists them so). */
export const TYPE_NAMES: Record<DeviceType, string> = {
  router: "Router",
  switch: "Switch",
  firewall: "Firewall",
  access_point: "Access point",
  server: "Server",
  workstation: "Workstation",
  printer: "Printer",
  storage: "Storage",
  ups: "UPS",
  phone: "Phone",
  hypervisor: "Hypervisor",
  unknown: "Unknown",
};

/** Human names of everything a topology node can be. */
export const NODE_TYPE_NAMES: Record<NodeType, string> = {
  ...TYPE_NAMES,
  host: "Host",
  flintnet: "Flintnet",
};

/** The name of a type, or the type itself when this dashboard is older than the agent. */
export function typeName(type: string): string {
  return (NODE_TYPE_NAMES as Record<string, string>)[type] ?? type;
}

/** The icon of a device type. */
export function TypeIcon(props: { type: string; size?: number }) {
  const d = (PATHS as Record<string, string>)[props.type] ?? PATHS.unknown;
  const s = props.size ?? 28;
  return html`
    <svg class=${`type-icon t-${props.type}`} width=${s} height=${s} viewBox="0 0 24 24" aria-hidden="true"
      fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round">
      <path d=${d} />
    </svg>
  `;
}

/** SVG path of a graph node of `type`, centred on 0,0 with radius about `r`. */
export function nodeShape(type: string, r: number): string {
  switch (type) {
    case "switch":
      return `M${-r * 1.2},${-r * 0.7}h${r * 2.4}v${r * 1.4}h${-r * 2.4}z`;
    case "firewall": {
      const a = r * 1.1;
      return `M0,${-a}L${a},0L0,${a}L${-a},0z`;
    }
    case "server":
    case "storage":
    case "hypervisor":
      return `M${-r * 0.75},${-r}h${r * 1.5}v${r * 2}h${-r * 1.5}z`;
    case "access_point":
      return `M0,${-r * 1.1}L${r * 1.1},${r * 0.9}L${-r * 1.1},${r * 0.9}z`;
    case "printer":
    case "workstation":
    case "ups":
      return `M${-r},${-r * 0.8}h${r * 2}v${r * 1.6}h${-r * 2}z`;
    case "flintnet": {
      // A hexagon: the agent itself.
      const h = r * 0.866;
      return `M0,${-r}L${h},${-r / 2}L${h},${r / 2}L0,${r}L${-h},${r / 2}L${-h},${-r / 2}z`;
    }
    default: // router, phone, unknown, hosts: a circle
      return `M${-r},0a${r},${r} 0 1,0 ${r * 2},0a${r},${r} 0 1,0 ${-r * 2},0`;
  }
}
