/**
 * The dependencies of createHttpApp, real but empty, for tests of the HTTP surface that are about
 * something else (auth, hardening, the server, the OpenAPI document): no flows, no anomalies, no
 * counters; an alert history and policy in a fresh temp dir, no devices, and a discovery that reports
 * one sweep per request. The test adds its token, bus and SSE hub, and replaces what it is about.
 *
 * @example
 * const stores = emptyStores();
 * const app = createHttpApp({ ...emptyFlowDeps(), ...stores.deps, token, bus, hub });
 * try { … } finally { await hub.stop(); stores.close(); }
 */
import { AlertPolicyStore } from "../../src/alert/alert_policy.ts";
import { AnomalyStore } from "../../src/alert/anomaly_store.ts";
import { Mutes } from "../../src/alert/mutes.ts";
import type { SweepProgress } from "../../src/events/mod.ts";
import { FlowTable } from "../../src/flow/flow_table.ts";
import type { HttpAppDeps } from "../../src/http/app.ts";
import { openHistory } from "../../src/store/history_db.ts";

/** The flow side and the daemon's settings: an empty flow table and anomaly store, no CORS, /metrics private. */
export function emptyFlowDeps(): Pick<
  HttpAppDeps,
  "corsOrigins" | "metricsPublic" | "table" | "warmupIntervals" | "anomalies" | "stats" | "startedAt"
> {
  return {
    corsOrigins: [],
    metricsPublic: false,
    table: new FlowTable(1024),
    warmupIntervals: 30,
    anomalies: new AnomalyStore(10),
    stats: () => ({}),
    startedAt: new Date(),
  };
}

/** The deps, and a function that closes the history and removes the temp dir. */
export function emptyStores(): {
  deps: Pick<HttpAppDeps, "devices" | "discovery" | "acknowledger" | "alerts" | "alertPolicy">;
  close(): void;
} {
  const dir = Deno.makeTempDirSync({ prefix: "flintnet-http-" });
  const history = openHistory(`${dir}/history.db`);
  const sweep = (id: number): SweepProgress => ({
    id,
    trigger: "api",
    cidrs: ["192.0.2.0/24"],
    scanned: 0,
    total: 254,
    found: 0,
    snmp: 0,
    started_at: new Date().toISOString(),
    elapsed_s: 0,
  });
  let sweeps = 0;
  return {
    deps: {
      devices: { list: () => [], get: () => undefined },
      discovery: {
        start: () => ({ started: true, sweep: sweep(++sweeps) }),
        status: () => ({ running: false, sweep: sweeps ? sweep(sweeps) : null, next_at: null }),
      },
      acknowledger: { acknowledge: () => Promise.resolve({ unknown: true }) },
      alerts: { history, mutes: new Mutes(history) },
      alertPolicy: new AlertPolicyStore({ stateDir: dir }),
    },
    close() {
      history.close();
      Deno.removeSync(dir, { recursive: true });
    },
  };
}
