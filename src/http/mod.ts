/**
 * The web layer: the Hono app (bearer auth, hardening, CORS), one file per resource under routes/, the
 * OpenAPI document, the SSE hub, Prometheus metrics and the server. Reads stores; never reaches into
 * capture.
 * The only file other folders import.
 */
export { createHttpApp } from "./app.ts";
export { bindHttpServer, type BoundHttpServer, type HttpServer, startHttpServer } from "./server.ts";
export type { HealthSource } from "./routes/healthz.ts";
export type { DeviceAckResult } from "./routes/device_ack.ts";
export { SseHub } from "./sse_hub.ts";
export type { DeviceSource } from "./routes/devices.ts";
// The JSON pages the dashboard (ui/src/types.ts) reads, by type only.
export type { AlertJson, AlertsPage } from "./routes/alerts.ts";
export type { MuteJson } from "./routes/alerts_body.ts";
export type { AnomaliesPage } from "./routes/anomalies.ts";
export type { DevicesPage } from "./routes/devices.ts";
export type { FlowsPage } from "./routes/flows.ts";
export type { HistoryFlowsPage } from "./routes/flow_history.ts";
export type { AdvisoriesPage } from "./routes/advisories.ts";
export type { RecordingSource } from "./routes/recordings.ts";
