import assert from "node:assert/strict";
import { loadDetectorConfig } from "./load.ts";
import { ConfigError } from "./setting.ts";

const NO_FILE = { defaultEnvFile: "/nonexistent/flintnet.env" };

Deno.test("FLINTNET_SCAN_THRESHOLD takes ports/hosts or ports alone, and refuses one line for anything else", () => {
  const read = (v: string) => loadDetectorConfig({ FLINTNET_SCAN_THRESHOLD: v }, NO_FILE).analysis.scan;
  assert.deepEqual(read("200/50"), { ports: 200, hosts: 50 });
  assert.deepEqual(read("1000"), { ports: 1000, hosts: 100 });
  for (const bad of ["0/10", "500/1", "70000", "a/b", "500/100/3"]) {
    assert.throws(
      () => read(bad),
      (e: unknown) =>
        e instanceof ConfigError && e.message.includes(`FLINTNET_SCAN_THRESHOLD=${JSON.stringify(bad)}`) &&
        e.message.includes("expected PORTS/HOSTS"),
      bad,
    );
  }
});

Deno.test("FLINTNET_SCAN_WINDOW is whole minutes from 1 to 60, and FLINTNET_FLOW_RETENTION=0 turns the history off", () => {
  const cfg = loadDetectorConfig({ FLINTNET_SCAN_WINDOW: "5m", FLINTNET_FLOW_RETENTION: "0" }, NO_FILE);
  assert.equal(cfg.analysis.scanWindowMinutes, 5);
  assert.equal(cfg.analysis.flowRetentionS, 0);
  assert.throws(() => loadDetectorConfig({ FLINTNET_SCAN_WINDOW: "2h" }, NO_FILE), ConfigError);
  assert.throws(() => loadDetectorConfig({ FLINTNET_TOP_TALKER_SHARE: "1.5" }, NO_FILE), ConfigError);
});
