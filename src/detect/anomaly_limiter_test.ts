import assert from "node:assert/strict";
import { AnomalyLimiter } from "./anomaly_limiter.ts";
import { heldBackSentence } from "./anomaly_text.ts";

const MIN = 60_000;

Deno.test("AnomalyLimiter reports one episode per subject per hold-off; the next reported says how many it held", () => {
  const l = new AnomalyLimiter({ perMinute: 100, holdoffMs: 15 * MIN });
  assert.equal(l.admit("f|a", 0), true);
  assert.deepEqual(l.heldBack, { same: 0, cap: 0 });
  assert.equal(l.admit("f|a", 5 * MIN), false);
  assert.equal(l.admit("f|b", 5 * MIN), true, "another subject is not held back");
  assert.equal(l.admit("f|a", 15 * MIN - 1), false);
  assert.equal(l.admit("f|a", 15 * MIN), true);
  assert.deepEqual(l.heldBack, { same: 2, cap: 0 });
  assert.deepEqual(l.counters(), { reported: 3, held_same_subject: 2, held_run_cap: 0 });
});

Deno.test("AnomalyLimiter caps the run at perMinute and tells the next reported episode, wherever it is", () => {
  const l = new AnomalyLimiter({ perMinute: 20, holdoffMs: 15 * MIN });
  const admitted = Array.from({ length: 25 }, (_, i) => l.admit(`f|${i}`, 1000 + i));
  assert.equal(admitted.filter(Boolean).length, 20);
  assert.deepEqual(admitted.slice(20), [false, false, false, false, false]);
  assert.equal(l.admit("h|s|10.0.0.9", MIN + 1000), true);
  assert.deepEqual(l.heldBack, { same: 0, cap: 5 });
  assert.equal(l.counters().held_run_cap, 5);
});

Deno.test("AnomalyLimiter remembers a subject's held-back count past its hold-off, and a bounded number of subjects", () => {
  const l = new AnomalyLimiter({ perMinute: 1000, holdoffMs: MIN, maxSubjects: 10 });
  l.admit("f|kept", 0);
  l.admit("f|kept", 10); // held back
  for (let i = 0; i < 5; i++) l.admit(`f|${i}`, 2 * MIN + i); // the hold-off is over: pruning runs
  assert.equal(l.admit("f|kept", 3 * MIN), true);
  assert.deepEqual(l.heldBack, { same: 1, cap: 0 }, "the count waited for its next report");
  for (let i = 0; i < 50; i++) l.admit(`f|x${i}`, 3 * MIN + i);
  assert.equal(l.admit("f|x0", 3 * MIN + 100), true, "forgotten past the bound: admitted again");
});

Deno.test("heldBackSentence() names what was held back, per subject and over the run's cap", () => {
  assert.equal(heldBackSentence(0, 0, 900, 20), "");
  assert.equal(
    heldBackSentence(1, 0, 900, 20),
    "Before this one, 1 more anomaly of this subject was not reported (one per 15 min at most).",
  );
  assert.equal(
    heldBackSentence(2, 7, 900, 20),
    "Before this one, 2 more anomalies of this subject were not reported (one per 15 min at most); " +
      "7 anomalies elsewhere were not reported (more than 20 a minute).",
  );
});
