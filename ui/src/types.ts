/**
 * The API's shapes, taken from the daemon's own declarations through each folder's mod.ts (type-only
 * imports, erased from the bundle), so the dashboard and the API cannot drift apart silently: a renamed
 * member fails `deno check ui/src/main.ts`, which ui/types_check_test.ts runs.
 *
 * @module
 */
export type {
  AdvisoryEvent,
  AdvisorySeverity,
  AdvisorySubjectKind,
  AdvisoryType,
  AnomalyEvent,
  BaselineJson,
  DeviceJson,
  DeviceType,
  InterfaceJson,
  NodeStatus,
  NodeType,
  SecurityEvent,
  SecurityEventType,
  SnmpStatus,
  TopologyEdgeJson,
  TopologyJson,
  TopologyNodeJson,
  TrapEvent,
} from "../../src/events/mod.ts";
export type { AlertChannel, AlertPolicy, RouteKind, StoredAnomaly } from "../../src/alert/mod.ts";
export type {
  ATTACK_SIGNALS,
  BlocklistHitJson,
  FlowJson,
  HostTcpHealthJson,
  NAME_SOURCES,
} from "../../src/flow/mod.ts";
export type { DnsQueryJson } from "../../src/detect/mod.ts";
export type { ANOMALY_TYPES, HistoryFlowJson } from "../../src/store/mod.ts";
export type { ArpHistoryJson, DeviceSourceKind, IpClaimJson } from "../../src/devices/mod.ts";
export type {
  AdvisoriesPage,
  AlertJson,
  AlertsPage,
  AnomaliesPage,
  DevicesPage,
  FlowsPage,
  HistoryFlowsPage,
  MuteJson,
} from "../../src/http/mod.ts";

/** A page of a cursor-paged list (/flows, /anomalies, /alerts). */
export interface Page {
  /** How many match the filter on all pages. */
  total_matched: number;
  /** The next page's cursor; null on the last. */
  next_cursor: string | null;
}
