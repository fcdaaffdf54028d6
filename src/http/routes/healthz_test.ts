import assert from "node:assert/strict";
import { healthzRoutes } from "./healthz.ts";

Deno.test("GET /healthz answers {status: ok} and nothing else", async () => {
  const res = await healthzRoutes().request("/healthz");
  assert.equal(res.status, 200);
  assert.equal(await res.text(), '{"status":"ok"}');
});

Deno.test("GET /healthz is degraded, still 200, with a reason per part that is not running", async () => {
  const problems = [
    "capture on eth9 is not running: the interface does not exist (waiting for it to appear)",
  ];
  const res = await healthzRoutes({ health: { problems: () => problems } }).request("/healthz");
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: "degraded", reasons: problems });
});

Deno.test("GET /healthz is ok again once nothing is wrong", async () => {
  let problems = ["x"];
  const app = healthzRoutes({ health: { problems: () => problems } });
  assert.equal((await (await app.request("/healthz")).json()).status, "degraded");
  problems = [];
  assert.equal(await (await app.request("/healthz")).text(), '{"status":"ok"}');
});
