import assert from "node:assert/strict";
import denoJson from "../../../deno.json" with { type: "json" };
import { versionRoutes } from "./version.ts";

Deno.test("GET /version names Flintnet's version, its commit, Deno's and the start time", async () => {
  const startedAt = new Date("2024-05-01T12:00:00.000Z");
  const res = await versionRoutes({ startedAt }).request("/version");
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), {
    version: denoJson.version,
    commit: await gitHead(),
    deno: Deno.version.deno,
    started_at: "2024-05-01T12:00:00.000Z",
  });
});

/** This checkout's commit as git says it (the route asks git the same way when not compiled). */
async function gitHead(): Promise<string> {
  const dir = new URL("./", import.meta.url).pathname;
  const run = async (...args: string[]) =>
    new TextDecoder().decode((await new Deno.Command("git", { args: ["-C", dir, ...args] }).output()).stdout)
      .trim();
  const head = await run("rev-parse", "--short=12", "HEAD");
  return (await run("status", "--porcelain", "--untracked-files=no")) ? `${head}-dirty` : head;
}
