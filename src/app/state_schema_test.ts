import assert from "node:assert/strict";
import { ConfigError } from "../config/mod.ts";
import { checkStateSchema, migrateState, STATE_SCHEMA, STATE_VERSION_FILE } from "./state_schema.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-schema-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("checkStateSchema() reads a directory without a marker as schema 0 (before 1.0)", () =>
  withDir(async (dir) => {
    assert.equal(await checkStateSchema(dir), 0);
  }));

Deno.test("migrateState() runs each step once, in order, and records each in the marker", () =>
  withDir(async (dir) => {
    const seen: number[] = [];
    const steps = [0, 1, 2].map((n) => async (d: string) => {
      assert.equal(await checkStateSchema(d, 3), n, "the marker says the step before was done");
      seen.push(n);
    });
    assert.equal(await migrateState(dir, 0, steps), 3);
    assert.deepEqual(seen, [0, 1, 2]);
    assert.equal(await checkStateSchema(dir, 3), 3);
    assert.equal(await migrateState(dir, 3, steps), 0, "nothing to do the second time");
    assert.deepEqual(seen, [0, 1, 2]);
  }));

Deno.test("migrateState() resumes after the last step done when a step fails", () =>
  withDir(async (dir) => {
    let fail = true;
    const steps = [() => Promise.resolve(), () =>
      fail ? Promise.reject(new Error("disk full")) : Promise.resolve()];
    await assert.rejects(migrateState(dir, 0, steps), /disk full/);
    assert.equal(await checkStateSchema(dir, 2), 1);
    fail = false;
    assert.equal(await migrateState(dir, 1, steps), 1);
    assert.equal(await checkStateSchema(dir, 2), 2);
  }));

Deno.test("checkStateSchema() refuses a newer directory naming the version that wrote it, and changes nothing", () =>
  withDir(async (dir) => {
    const marker = JSON.stringify({ schema: STATE_SCHEMA + 1, written_by: "9.9.9" });
    await Deno.writeTextFile(`${dir}/${STATE_VERSION_FILE}`, marker);
    const err = await checkStateSchema(dir).then(() => undefined, (e) => e);
    assert.ok(err instanceof ConfigError);
    assert.equal(err.variable, "FLINTNET_STATE_DIR");
    assert.match(err.message, new RegExp(`schema ${STATE_SCHEMA + 1}, written by Flintnet 9\\.9\\.9`));
    assert.match(err.message, /run that version or newer, or move the directory away/);
    assert.ok(!err.message.includes("\n"));
    assert.equal(await Deno.readTextFile(`${dir}/${STATE_VERSION_FILE}`), marker);
  }));

Deno.test("checkStateSchema() refuses a marker it cannot read, with what to do", () =>
  withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/${STATE_VERSION_FILE}`, "{not json");
    await assert.rejects(checkStateSchema(dir), /unreadable state-version\.json/);
  }));
