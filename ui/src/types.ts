/**
 * The API's shapes, taken from the daemon's own declarations (type-only imports, erased from the
 * bundle), so the dashboard and the API cannot drift apart silently: a renamed member fails `deno check`.
 *
 * @module
 */
export type { DeviceJson, DeviceType, InterfaceJson, SnmpStatus } from "../../src/devices/mod.ts";
export type { AnomalyEvent, SecurityEvent, TrapEvent } from "../../src/events.ts";
export type { StoredAnomaly } from "../../src/alert/mod.ts";
export type { FlowJson } from "../../src/flow/mod.ts";
export type { AlertJson, AlertsPage } from "../../src/http/routes/alerts.ts";
export type { MuteJson } from "../../src/http/routes/alerts_body.ts";
export type { ArpHistoryJson, IpClaimJson } from "../../src/devices/mod.ts";
export type { AlertChannel, AlertPolicy, RouteKind } from "../../src/alert/mod.ts";

/** A page of a cursor-paged list (/flows, /anomalies, /alerts). */
export interface Page {
  /** How many match the filter on all pages. */
  total_matched: number;
  /** The next page's cursor; null on the last. */
  next_cursor: string | null;
}

/** A node of GET /topology (issue 11). */
export interface TopologyNode {
  /** Stable id the edges refer to. */
  id: string;
  /** What LLDP/CDP or SNMP called it. */
  name: string | null;
  /** Device type (router, switch …), "unknown" when not classified. */
  type: string;
  /** SNMP status or "placeholder". */
  status: string;
  /** Management address, when known. */
  ip: string | null;
  /** A neighbour seen but not (yet) a known device. */
  placeholder: boolean;
}

/** A link of GET /topology (issue 11). */
export interface TopologyEdge {
  /** Stable id. */
  id: string;
  /** Node id at one end. */
  source: string;
  /** Node id at the other end. */
  target: string;
  /** Port on the source side. */
  local_port: string | null;
  /** Port on the target side. */
  remote_port: string | null;
  /** What reported it: "lldp", "cdp", "fdb"… */
  protocols: string[];
  /** Link speed, when known. */
  speed_bps: number | null;
  /** Utilisation in, 0–100, when the interface is polled. */
  in_util_pct?: number | null;
  /** Utilisation out, 0–100. */
  out_util_pct?: number | null;
}

/** An advisory (the analysis issue): one finding a person should read. */
export interface Advisory {
  /** Its id. */
  id?: string | number;
  /** When, ISO 8601. */
  ts: string;
  /** Which analyzer: top_talkers, insecure_protocols … */
  type?: string;
  /** info, warning, critical. */
  severity?: string;
  /** Short title. */
  title?: string;
  /** The plain-language finding. */
  summary?: string;
  /** Or, as other events name it. */
  reason?: string;
}
