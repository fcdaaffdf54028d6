/**
 * The alert history in embedded SQLite (node:sqlite, WAL): rows taken from events, filters, keyset
 * pages, retention, and the recorder that writes what the bus carries.
 * The only file other folders import.
 */
export {
  ALERT_KINDS,
  ALERT_SEVERITIES,
  alertIps,
  type AlertKind,
  alertSeverity,
  alertType,
  ANOMALY_TYPES,
} from "./alert_row.ts";
export { type AlertFilter, type AlertRecord, type HistoryDb, openHistory } from "./history_db.ts";
export { HistoryRecorder } from "./history_recorder.ts";
export { HistorySchemaError } from "./history_file.ts";
export { FlowHistory, type FlowHistoryStats } from "./flow_history.ts";
export {
  FlowHistoryDb,
  type FlowHistoryQuery,
  type HistoryFlowJson,
  type HistoryPage,
} from "./flow_history_db.ts";
