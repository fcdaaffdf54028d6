/**
 * The API's shapes, taken from the daemon's own declarations through each folder's mod.ts (type-only
 * imports, erased from the bundle), so the dashboard and the API cannot drift apart silently: a renamed
 * member fails `deno check ui/src/main.ts`, which ui/types_check_test.ts runs.
 *
 * @module
 */
export type {
  AnomalyEvent,
  BaselineJson,
  DeviceJson,
  DeviceType,
  InterfaceJson,
  NodeStatus,
  NodeType,
  SecurityEvent,
  SnmpStatus,
  TopologyEdgeJson,
  TopologyJson,
  TopologyNodeJson,
  TrapEvent,
} from "../../src/events/mod.ts";
export type { AlertChannel, AlertPolicy, RouteKind, StoredAnomaly } from "../../src/alert/mod.ts";
export type { FlowJson } from "../../src/flow/mod.ts";
export type { ArpHistoryJson, IpClaimJson } from "../../src/devices/mod.ts";
export type {
  AlertJson,
  AlertsPage,
  AnomaliesPage,
  DevicesPage,
  FlowsPage,
  MuteJson,
} from "../../src/http/mod.ts";

/** A page of a cursor-paged list (/flows, /anomalies, /alerts). */
export interface Page {
  /** How many match the filter on all pages. */
  total_matched: number;
  /** The next page's cursor; null on the last. */
  next_cursor: string | null;
}

/**
 * An advisory (GET /advisories and `advisory` events, from the analysis side): one finding a person
 * should read. Every member but `ts` is optional so that an agent a version ahead or behind still shows.
 */
export interface Advisory {
  /** Its id. */
  id?: string | number;
  /** When, ISO 8601. */
  ts: string;
  /** info, warning, critical. */
  severity?: string;
  /** What it is about: an address, a subnet, a flow in words. */
  subject?: string;
  /** The finding in a sentence. */
  summary?: string;
  /** The same, as some analyzers name it. */
  sentence?: string;
  /** What to do about it. */
  action?: string;
  /** The facts behind it. */
  evidence?: Record<string, unknown> | unknown[] | string;
  /** Which analyzer: top_talkers, insecure_protocols … */
  type?: string;
  /** Short title, when the analyzer gives one. */
  title?: string;
}
