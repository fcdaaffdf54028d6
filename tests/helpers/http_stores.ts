/**
 * The device and alert dependencies of createHttpApp, real but empty, for tests of the HTTP surface
 * that are about something else (auth, hardening, the server): an alert history and policy in a
 * fresh temp dir, no devices, and a discovery that reports one sweep per request.
 */
import { AlertPolicyStore } from "../../src/alert/alert_policy.ts";
import { Mutes } from "../../src/alert/mutes.ts";
import type { SweepProgress } from "../../src/events.ts";
import type { HttpAppDeps } from "../../src/http/app.ts";
import { openHistory } from "../../src/store/history_db.ts";

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
      acknowledger: { acknowledge: () => undefined },
      alerts: { history, mutes: new Mutes(history) },
      alertPolicy: new AlertPolicyStore({ stateDir: dir }),
    },
    close() {
      history.close();
      Deno.removeSync(dir, { recursive: true });
    },
  };
}
