import assert from "node:assert/strict";
import { healthzRoutes } from "./healthz.ts";

Deno.test("GET /healthz answers {status: ok} and nothing else", async () => {
  const res = await healthzRoutes().request("/healthz");
  assert.equal(res.status, 200);
  assert.equal(await res.text(), '{"status":"ok"}');
});
