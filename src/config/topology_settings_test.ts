import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "./load.ts";

const PROBE = {
  defaultRouteInterface: () => "eth0",
  interfaceIPv4Network: () => "192.0.2.0/24",
  interfaceNames: () => ["eth0"],
  chooseStateDir: () => Promise.resolve("/srv/flintnet-test"),
};
const NO_FILE = { defaultEnvFile: "/nonexistent/flintnet.env" };

Deno.test("FLINTNET_TOPOLOGY_AGE_POLLS sets how many polls a link may go unreported", async () => {
  assert.deepEqual((await loadConfig({}, PROBE, NO_FILE)).topology, { agePolls: 3 });
  const cfg = await loadConfig({ FLINTNET_TOPOLOGY_AGE_POLLS: "1" }, PROBE, NO_FILE);
  assert.deepEqual(cfg.topology, { agePolls: 1 });
});

Deno.test("FLINTNET_TOPOLOGY_AGE_POLLS refuses 0, fractions and words in one line naming it", async () => {
  for (const bad of ["0", "2.5", "three", "1001"]) {
    const err = await loadConfig({ FLINTNET_TOPOLOGY_AGE_POLLS: bad }, PROBE, NO_FILE).then(
      () => null,
      (e) => e,
    );
    assert.ok(err instanceof ConfigError, bad);
    assert.equal(err.variable, "FLINTNET_TOPOLOGY_AGE_POLLS");
    assert.ok(!err.message.includes("\n"));
    assert.ok(err.message.includes(JSON.stringify(bad)), err.message);
  }
});
