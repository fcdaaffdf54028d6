import assert from "node:assert/strict";
import { healthProblems } from "./health.ts";

const capture = (iface: string, state: "capturing" | "waiting" | "down") => ({
  iface,
  state,
  reopenCount: 0,
  waitsForMain: 0,
  kernel: { packets: 0, drops: 0, freezes: 0 },
  decode: null,
  batches: 0,
  rows: 0,
  bytes: 0,
});

Deno.test("healthProblems() names each capture that is not capturing, and why", () => {
  assert.deepEqual(
    healthProblems([capture("eth0", "capturing"), capture("eth9", "waiting"), capture("eth1", "down")]),
    [
      "capture on eth9 is not running: the interface does not exist (waiting for it to appear)",
      "capture on eth1 is not running: the interface is down or cannot be captured on (see the log)",
    ],
  );
});

Deno.test("healthProblems() names a trap port that could not be bound, not one that is off", () => {
  const failed = {
    traps: { listening: false, error: "cannot listen for SNMP traps on 0.0.0.0:162: in use" },
  };
  assert.deepEqual(healthProblems([], failed), [
    "SNMP traps are not received: cannot listen for SNMP traps on 0.0.0.0:162: in use",
  ]);
  assert.deepEqual(healthProblems([], { traps: { listening: false, error: null } }), []);
  assert.deepEqual(healthProblems([capture("lo", "capturing")], { traps: { listening: true } }), []);
});
