import assert from "node:assert/strict";
import { ConfigError } from "../config/mod.ts";
import { acquireInstanceLock, holderPid, LOCK_FILE } from "./instance_lock.ts";

Deno.test("acquireInstanceLock() writes its PID and refuses a second holder, naming the PID from the kernel", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flintnet_lock_" });
  try {
    const lock = acquireInstanceLock(dir);
    assert.equal(await Deno.readTextFile(`${dir}/${LOCK_FILE}`), `${Deno.pid}\n`);
    // The file says something else: the PID must come from /proc/locks, the kernel's record.
    await Deno.writeTextFile(`${dir}/${LOCK_FILE}`, "999999\n");
    assert.throws(() => acquireInstanceLock(dir), ConfigError);
    assert.equal(holderPid(`${dir}/${LOCK_FILE}`), Deno.pid);
    lock.release();
    acquireInstanceLock(dir).release();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("acquireInstanceLock()'s refusal is one line naming FLINTNET_STATE_DIR, the directory and the PID", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flintnet_lock_" });
  const lock = acquireInstanceLock(dir);
  try {
    try {
      acquireInstanceLock(dir);
      assert.fail("a second lock was granted");
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.variable, "FLINTNET_STATE_DIR");
      assert.ok(!err.message.includes("\n"));
      assert.ok(err.message.includes(JSON.stringify(dir)), err.message);
      assert.ok(err.message.includes(`PID ${Deno.pid}`), err.message);
    }
  } finally {
    lock.release();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("holderPid() reads the file's PID when /proc/locks has no entry for it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flintnet_lock_" });
  try {
    await Deno.writeTextFile(`${dir}/${LOCK_FILE}`, "4242\n");
    await Deno.writeTextFile(`${dir}/locks`, "1: FLOCK  ADVISORY  WRITE 77 fe:00:1 0 EOF\n");
    assert.equal(holderPid(`${dir}/${LOCK_FILE}`, `${dir}/locks`), 4242);
    await Deno.writeTextFile(`${dir}/${LOCK_FILE}`, "");
    assert.equal(holderPid(`${dir}/${LOCK_FILE}`, `${dir}/locks`), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
