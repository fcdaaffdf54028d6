import assert from "node:assert/strict";
import { ConfigError, describeSettings, loadConfig } from "./load.ts";

const PROBE = {
  defaultRouteInterface: () => "eth0",
  interfaceIPv4Network: () => "192.0.2.0/24",
  interfaceNames: () => ["eth0"],
  chooseStateDir: () => Promise.resolve("/srv/flintnet-test"),
};
const NO_FILE = { defaultEnvFile: "/nonexistent/flintnet.env" };

function load(env: Record<string, string>) {
  return loadConfig(env, PROBE, NO_FILE);
}

Deno.test("loadConfig() reads the HTTP limits, trap limits, history bounds and FLINTNET_INTERFACE_WAIT", async () => {
  const cfg = await load({
    FLINTNET_HTTP_READ_TIMEOUT: "5s",
    FLINTNET_HTTP_IDLE_TIMEOUT: "2m",
    FLINTNET_HTTP_MAX_CONNECTIONS: "100",
    FLINTNET_HTTP_MAX_CONNECTIONS_PER_ADDRESS: "8",
    FLINTNET_TRAP_RATE_PER_SOURCE: "10",
    FLINTNET_TRAP_RATE_TOTAL: "50",
    FLINTNET_TRAP_MAX_VARBINDS: "16",
    FLINTNET_TRAP_MAX_VALUE_BYTES: "256",
    FLINTNET_HISTORY_MAX_ALERTS: "5000",
    FLINTNET_HISTORY_MAX_MB: "64",
    FLINTNET_INTERFACE_WAIT: "1",
  });
  assert.deepEqual(cfg.http, {
    readTimeoutS: 5,
    idleTimeoutS: 120,
    maxConnections: 100,
    maxConnectionsPerAddress: 8,
  });
  assert.deepEqual(cfg.traps, {
    perSourcePerMinute: 10,
    totalPerMinute: 50,
    maxVarbinds: 16,
    maxValueBytes: 256,
  });
  assert.equal(cfg.alerts.historyMaxAlerts, 5000);
  assert.equal(cfg.alerts.historyMaxMb, 64);
  assert.equal(cfg.interfaceWait, true);
});

Deno.test("loadConfig() refuses a bad limit in one line naming the setting, the value and what is accepted", async () => {
  for (
    const [name, value, accepted] of [
      ["FLINTNET_HTTP_READ_TIMEOUT", "0", "a duration from 1s to 5m"],
      ["FLINTNET_HTTP_IDLE_TIMEOUT", "forever", "a duration from 1s to 1h"],
      ["FLINTNET_HTTP_MAX_CONNECTIONS", "0", "a whole number from 1 to 100000"],
      ["FLINTNET_HTTP_MAX_CONNECTIONS_PER_ADDRESS", "-1", "a whole number from 1 to 100000"],
      ["FLINTNET_TRAP_RATE_PER_SOURCE", "1.5", "a whole number from 1 to 100000"],
      ["FLINTNET_TRAP_RATE_TOTAL", "0", "a whole number from 1 to 1000000"],
      ["FLINTNET_TRAP_MAX_VARBINDS", "1", "a whole number from 2 to 10000"],
      ["FLINTNET_TRAP_MAX_VALUE_BYTES", "8", "a whole number from 16 to 65536"],
      ["FLINTNET_HISTORY_MAX_ALERTS", "10", "a whole number from 100 to 100000000"],
      ["FLINTNET_HISTORY_MAX_MB", "0", "a whole number from 1 to 1000000"],
      ["FLINTNET_INTERFACE_WAIT", "maybe", "1"],
    ]
  ) {
    const err = await load({ [name]: value }).then(() => undefined, (e) => e);
    assert.ok(err instanceof ConfigError, `${name}=${value} refused`);
    assert.equal(err.variable, name);
    assert.ok(!err.message.includes("\n"));
    assert.ok(err.message.startsWith(`${name}=${JSON.stringify(value)} is not valid`), err.message);
    assert.ok(err.message.includes(accepted), `${err.message} says ${accepted}`);
  }
});

Deno.test("every new limit is a documented setting that --help lists", () => {
  const names = describeSettings().map((s) => s.name);
  for (
    const name of [
      "FLINTNET_INTERFACE_WAIT",
      "FLINTNET_HTTP_READ_TIMEOUT",
      "FLINTNET_HTTP_IDLE_TIMEOUT",
      "FLINTNET_HTTP_MAX_CONNECTIONS",
      "FLINTNET_HTTP_MAX_CONNECTIONS_PER_ADDRESS",
      "FLINTNET_TRAP_RATE_PER_SOURCE",
      "FLINTNET_TRAP_RATE_TOTAL",
      "FLINTNET_TRAP_MAX_VARBINDS",
      "FLINTNET_TRAP_MAX_VALUE_BYTES",
      "FLINTNET_HISTORY_MAX_ALERTS",
      "FLINTNET_HISTORY_MAX_MB",
    ]
  ) assert.ok(names.includes(name), name);
});
