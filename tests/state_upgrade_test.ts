/**
 * Upgrades and downgrades of the state directory, with the daemon as a user runs it: a directory a
 * Flintnet from before the schema marker left (the files of a real run, without the marker) is
 * migrated and keeps every file as it was; a directory a newer Flintnet wrote is refused with exit code
 * 2 and one line, and left exactly as it was.
 */
import assert from "node:assert/strict";
import { loopbackEnv, startDaemon } from "./helpers/daemon.ts";
import { runFlintnet } from "./helpers/flintnet_cli.ts";
import { freePort } from "./helpers/ports.ts";

const MARKER = "state-version.json";

async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for await (const e of Deno.readDir(dir)) {
    if (!e.isFile || e.name === "flintnet.lock") continue;
    const bytes = await Deno.readFile(`${dir}/${e.name}`);
    files.set(e.name, Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))).join(","));
  }
  return files;
}

Deno.test("a state directory from before the schema marker is migrated; one from a newer Flintnet is refused untouched", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-upgrade-" });
  const env = () => ({
    ...loopbackEnv(dir, freePort()),
  });
  try {
    // A real run leaves real state files; without its marker the directory is what 0.x left.
    const first = await startDaemon(env());
    assert.equal((await first.terminate()).code, 0);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(`${dir}/${MARKER}`)).schema, 1);
    await Deno.remove(`${dir}/${MARKER}`);
    const before = await snapshot(dir);
    assert.ok(before.has("api-token") && before.has("history.db"), [...before.keys()].join(", "));

    const second = await startDaemon(env());
    const line = await second.waitForLog(
      (r) => r.msg === "state directory migrated",
      5_000,
      "the migration line",
    );
    assert.deepEqual([line.from_schema, line.to_schema], [0, 1]);
    const marker = JSON.parse(await Deno.readTextFile(`${dir}/${MARKER}`));
    assert.equal(marker.schema, 1);
    assert.equal(typeof marker.written_by, "string");
    assert.equal(
      await Deno.readTextFile(`${dir}/api-token`).then((t) => t.length > 16),
      true,
      "the token kept",
    );
    assert.equal((await second.terminate()).code, 0);

    // Now a newer Flintnet has been here.
    await Deno.writeTextFile(`${dir}/${MARKER}`, JSON.stringify({ schema: 7, written_by: "3.1.4" }) + "\n");
    const downgrade = await snapshot(dir);
    const r = await runFlintnet([], env(), { stateDir: dir });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.errLines.length, 1, r.stderr);
    assert.match(
      r.errLines[0],
      /^flintnet: FLINTNET_STATE_DIR=".*" holds state of schema 7, written by Flintnet 3\.1\.4; /,
    );
    assert.deepEqual(await snapshot(dir), downgrade, "nothing in the directory changed");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
