/**
 * The README's quick start, run the way a newcomer types it. The two commands are read from the README
 * itself, so the README and this test cannot drift apart: the start command is run exactly as written
 * (from the checkout, through npx and `deno task`), and must bring up a daemon that serves /healthz,
 * the dashboard and the API with the token it created; Ctrl-C (here SIGTERM to the whole process group,
 * as a terminal sends it) must stop it within 5 s. The test command is what CI runs (.ci/run).
 *
 * The README writes `sudo`; this test runs as root already, and `sudo` would drop the loopback settings
 * the test must give (never let a test sweep this machine's real network), so it is left off.
 */
import assert from "node:assert/strict";
import { freePort } from "./helpers/ports.ts";

const REPO = new URL("../", import.meta.url);
const README = new URL("README.md", REPO);
const CI_RUN = new URL(".ci/run", REPO);

/** The commands of the quick start's first `sh` block, comments taken off. */
export async function quickStartCommands(): Promise<{ start: string; test: string }> {
  const text = await Deno.readTextFile(README);
  const at = text.indexOf("## Quick start");
  assert.ok(at >= 0, 'the README has a "## Quick start" section');
  const block = /```sh\n([\s\S]*?)```/.exec(text.slice(at));
  assert.ok(block, "the quick start has a sh block");
  const lines = block[1].split("\n").map((l) => l.replace(/\s+#.*$/, "").trim()).filter(Boolean);
  const start = lines.find((l) => / task start\b/.test(l));
  const test = lines.find((l) => / task test\b/.test(l));
  assert.ok(start && test, `the quick start shows a start and a test command: ${lines.join(" | ")}`);
  return { start, test };
}

/** Process ids whose process group is `pgid`, from /proc. */
async function groupMembers(pgid: number): Promise<number[]> {
  const pids: number[] = [];
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    const stat = await Deno.readTextFile(`/proc/${e.name}/stat`).catch(() => "");
    // Fields after the command name (which may hold spaces, inside parentheses): state ppid pgrp …
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(rest[2]) === pgid) pids.push(Number(e.name));
  }
  return pids;
}

async function waitFor<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

Deno.test("CI runs the README's test command", async () => {
  const { test } = await quickStartCommands();
  const ci = await Deno.readTextFile(CI_RUN);
  assert.ok(ci.includes(test.replace(/^sudo /, "")), `.ci/run runs "${test}" (without sudo: CI is root)`);
});

Deno.test({
  name: "the README's start command starts Flintnet, serves the dashboard and the API, and stops on a signal",
  // npx downloads Deno on a first run; everything after that is local.
  sanitizeResources: false,
  async fn() {
    assert.equal(Deno.uid(), 0, "this test runs the start command as root, as the README says");
    const { start } = await quickStartCommands();
    const command = start.replace(/^sudo /, "");
    const stateDir = await Deno.makeTempDir({ prefix: "flintnet-quickstart-" });
    const port = freePort();
    const base = `http://127.0.0.1:${port}`;
    // setsid: the command gets its own process group, as a shell gives a foreground job.
    const child = new Deno.Command("setsid", {
      args: ["bash", "-c", command],
      cwd: REPO,
      env: {
        FLINTNET_ENV_FILE: "/dev/null",
        FLINTNET_INTERFACE: "lo",
        FLINTNET_CIDR: "127.0.0.1/32",
        FLINTNET_LISTEN: `127.0.0.1:${port}`,
        FLINTNET_STATE_DIR: stateDir,
        FLINTNET_TRAP_LISTEN: "off",
        NO_COLOR: "1",
      },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stdout: string[] = [], stderr: string[] = [];
    const collect = (s: ReadableStream<Uint8Array>, into: string[]) =>
      (async () => {
        for await (const chunk of s.pipeThrough(new TextDecoderStream())) into.push(chunk);
      })().catch(() => {});
    const reading = Promise.all([collect(child.stdout, stdout), collect(child.stderr, stderr)]);
    const output = () => `stdout:\n${stdout.join("")}\nstderr:\n${stderr.join("")}`;
    try {
      await waitFor("/healthz", 120_000, async () => {
        const res = await fetch(`${base}/healthz`).catch(() => null);
        if (!res) return undefined;
        const body = await res.json();
        return res.ok ? body : undefined;
      });
      // The token the first start created, where the start log says it is.
      const token = (await Deno.readTextFile(`${stateDir}/api-token`)).trim();
      const page = await fetch(`${base}/`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get("content-type") ?? "", /text\/html/);
      assert.match(await page.text(), /Flintnet/);
      const refused = await fetch(`${base}/stats`);
      await refused.body?.cancel();
      assert.equal(refused.status, 401, "the API needs the token");
      const stats = await fetch(`${base}/stats`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(stats.status, 200);
      const body = await stats.json();
      assert.ok(body.capture?.lo, "/stats shows the capture on lo");

      const signalledAt = Date.now();
      Deno.kill(-child.pid, "SIGTERM");
      await waitFor("every process of the start command to exit", 5_000, async () => {
        const left = await groupMembers(child.pid);
        return left.length === 0 ? true : undefined;
      });
      const stoppedMs = Date.now() - signalledAt;
      await child.status;
      await reading;
      const log = stderr.join("");
      const records = log.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
      assert.ok(records.some((r) => r.msg === "Flintnet started"), "the daemon said it started");
      assert.ok(records.some((r) => r.msg === "stopped"), `the daemon stopped cleanly (${stoppedMs} ms)`);
      assert.doesNotMatch(log, /Uncaught|error: /i, "nothing failed on the way");
    } catch (err) {
      console.error(output());
      throw err;
    } finally {
      try {
        Deno.kill(-child.pid, "SIGKILL");
      } catch { /* already gone */ }
      await child.status;
      await reading;
      await Deno.remove(stateDir, { recursive: true });
    }
  },
});
