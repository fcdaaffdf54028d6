import assert from "node:assert/strict";
import { ADVISORY_TYPES, SECURITY_EVENT_TYPES } from "../../../src/events/mod.ts";
import { ANOMALY_TYPES } from "../../../src/store/mod.ts";
import { alertTypeLabel, alertTypeOptions, labelOf, SECURITY_LABELS } from "./labels.ts";

Deno.test("the alert history's type choices hold every security, anomaly and advisory type the daemon has", () => {
  const values = alertTypeOptions().map(([v]) => v);
  for (const t of [...SECURITY_EVENT_TYPES, ...Object.values(ANOMALY_TYPES), ...ADVISORY_TYPES]) {
    assert.ok(values.includes(t), `${t} is offered`);
  }
  assert.equal(new Set(values).size, values.length, "each value once");
});

Deno.test("alertTypeLabel() words each kind's types, and shows a type it does not know as itself", () => {
  assert.equal(alertTypeLabel("security", "blocklisted"), SECURITY_LABELS.blocklisted);
  assert.equal(alertTypeLabel("anomaly", ANOMALY_TYPES.retransmissions), "TCP retransmissions");
  assert.equal(alertTypeLabel("advisory", "port_scan"), "Port scan");
  assert.equal(alertTypeLabel("security", "new_kind_of_thing"), "new kind of thing");
  assert.equal(labelOf(SECURITY_LABELS, "toString"), "toString", "no inherited member is a label");
});
