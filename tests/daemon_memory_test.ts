/**
 * The daemon as a user starts it gives back the pages of its executable that start-up ran, once it has
 * started (src/net/executable_pages.ts, wired in src/app/app.ts): the kernel's count of the process's
 * resident file pages falls, and the daemon goes on answering and stops cleanly after.
 */
import assert from "node:assert/strict";
import { loopbackEnv, startDaemon } from "./helpers/daemon.ts";
import { freePort } from "./helpers/ports.ts";

const TOKEN = "memory-daemon-token-0123456789abcdef";

/** A field of /proc/PID/status in bytes (the kernel's own count, not the runtime's). */
function statusBytes(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(Deno.readTextFileSync(`/proc/${pid}/status`));
  assert.ok(m, `no ${field} in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

Deno.test("the daemon gives back the executable's pages start-up ran, and runs on", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-memory-" });
  const port = freePort();
  const daemon = await startDaemon({
    ...loopbackEnv(dir, port),
    FLINTNET_API_TOKEN: TOKEN,
    FLINTNET_LOG_LEVEL: "debug",
  });
  try {
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const base = `http://127.0.0.1:${port}`;
    // Just started: the first quiet collection (and so the release) is seconds away.
    assert.equal(daemon.records().some((r) => r.msg === "executable pages released"), false);
    const before = statusBytes(daemon.pid, "RssFile");
    // At the first quiet collection, or a minute after start at the latest.
    const released = await daemon.waitForLog(
      (r) => r.msg === "executable pages released",
      75_000,
      "the release",
    );
    const after = statusBytes(daemon.pid, "RssFile");
    assert.ok((released.bytes as number) > 20_000_000, JSON.stringify(released));
    // Measured here: about 47 MB released, RssFile 55–60 → 25–31 MB; what the loop runs comes back.
    assert.ok(before - after > 15_000_000, `RssFile ${before} → ${after}`);
    for (const path of ["/healthz", "/stats", "/flows?limit=5", "/"]) {
      const r = await fetch(`${base}${path}`, { headers: auth });
      await r.body?.cancel();
      assert.equal(r.status, 200, path);
    }
    const stop = await daemon.terminate();
    assert.equal(stop.code, 0, daemon.lines.join("\n"));
  } finally {
    await daemon.kill();
    await Deno.remove(dir, { recursive: true });
  }
});
