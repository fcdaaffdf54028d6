import assert from "node:assert/strict";
import denoJson from "../../../deno.json" with { type: "json" };
import { versionRoutes } from "./version.ts";

Deno.test("GET /version names Flintnet's version, Deno's and the start time", async () => {
  const startedAt = new Date("2024-05-01T12:00:00.000Z");
  const res = await versionRoutes({ startedAt }).request("/version");
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), {
    version: denoJson.version,
    deno: Deno.version.deno,
    started_at: "2024-05-01T12:00:00.000Z",
  });
});
