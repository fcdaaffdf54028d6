/**
 * Start-up failures a user can cause, through the real command line: each must end with exit code 2 and
 * one line on stderr naming the setting, the value and what to do — never a stack trace — and must leave
 * the state directory as it was (but for the lock file, which is taken before the port). What is expected
 * comes from the test's own set-up: the port it bound, the file it put in the way, the PID `ss` reports
 * for the first daemon's socket.
 */
import assert from "node:assert/strict";
import { type CliRun, runFlintnet } from "./helpers/flintnet_cli.ts";
import { startDaemon } from "./helpers/daemon.ts";
import { createSocket } from "node:dgram";
import { freePort } from "./helpers/ports.ts";
import { makeTestCert } from "./helpers/test_cert.ts";
import { createVethPair, netnsUnavailable } from "./helpers/netns.ts";

const CI = Deno.env.get("CI") === "true";
const TOKEN = "startup-test-token-0123456789";
const LOCK = "flintnet.lock";

/** Exit 2 and one line on stderr containing every needle; nothing on stdout. */
function assertOneLine(r: CliRun, ...needles: string[]): string {
  assert.equal(r.code, 2, `exit code; stderr:\n${r.stderr}`);
  assert.equal(r.errLines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  for (const n of needles) assert.ok(r.errLines[0].includes(n), `stderr names ${n}: ${r.errLines[0]}`);
  assert.ok(!/\bat .*\.ts:\d+/.test(r.stderr), "no stack trace");
  assert.equal(r.stdout, "");
  return r.errLines[0];
}

/** The daemon on loopback, with `env` over valid settings. */
function daemon(env: Record<string, string>, opts: Parameters<typeof runFlintnet>[2] = {}): Promise<CliRun> {
  return runFlintnet([], {
    FLINTNET_INTERFACE: "lo",
    FLINTNET_CIDR: "127.0.0.1/32",
    FLINTNET_TRAP_LISTEN: "off",
    FLINTNET_LISTEN: `127.0.0.1:${freePort()}`,
    ...env,
  }, opts);
}

async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "flintnet_startup_" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a state directory that is a file stops start-up with one line naming FLINTNET_STATE_DIR", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/state`;
    await Deno.writeTextFile(path, "not a directory\n");
    const r = await daemon({ FLINTNET_API_TOKEN: TOKEN }, { stateDir: path });
    assertOneLine(r, "FLINTNET_STATE_DIR", JSON.stringify(path), "mkdir");
    assert.equal(await Deno.readTextFile(path), "not a directory\n", "the file is left alone");
  });
});

Deno.test("a read-only state directory stops start-up with one line saying it cannot be written", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/ro`;
    await Deno.mkdir(path);
    // A read-only mount in a mount namespace of the daemon's own: read-only even for root.
    const r = await daemon({ FLINTNET_API_TOKEN: TOKEN }, {
      stateDir: path,
      wrap: (argv) => [
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "sh",
        "-c",
        'mount -t tmpfs -o ro fnhd-ro "$0" && exec "$@"',
        path,
        ...argv,
      ],
    });
    assertOneLine(r, "FLINTNET_STATE_DIR", JSON.stringify(path), "cannot be written", "read-only");
  });
});

Deno.test("a state directory that does not exist yet is created (mode 0700) and used", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/not/yet/there`;
    const d = await startDaemon({
      FLINTNET_INTERFACE: "lo",
      FLINTNET_CIDR: "127.0.0.1/32",
      FLINTNET_TRAP_LISTEN: "off",
      FLINTNET_LISTEN: `127.0.0.1:${freePort()}`,
      FLINTNET_STATE_DIR: path,
      FLINTNET_API_TOKEN: TOKEN,
    });
    try {
      assert.equal((await Deno.stat(path)).mode! & 0o777, 0o700);
    } finally {
      assert.equal((await d.terminate()).code, 0);
    }
    assert.ok((await Deno.stat(`${path}/history.db`)).isFile);
  });
});

Deno.test("a port in use stops start-up with one line naming FLINTNET_LISTEN, before any state is written", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const port = (taken.addr as Deno.NetAddr).port;
    // No FLINTNET_API_TOKEN: a daemon that got further would have written api-token and history.db.
    const r = await daemon({ FLINTNET_LISTEN: `127.0.0.1:${port}` });
    assertOneLine(r, "FLINTNET_LISTEN", `"127.0.0.1:${port}"`, "already in use", `sport = :${port}`);
    assert.deepEqual(r.stateEntries, [LOCK], "only the lock file, which is not state");
  } finally {
    taken.close();
  }
});

Deno.test("a listen address that is not this machine's stops start-up with one line naming it", async () => {
  const r = await daemon({ FLINTNET_LISTEN: "10.231.239.250:18480" });
  assertOneLine(r, "FLINTNET_LISTEN", '"10.231.239.250:18480"', "not an address of this machine");
  assert.deepEqual(r.stateEntries, [LOCK]);
});

Deno.test({
  name: "a TLS key that is not the certificate's stops start-up with one line naming both settings",
  async fn() {
    await withTempDir(async (dir) => {
      const a = await makeTestCert(dir, "a"), b = await makeTestCert(dir, "b");
      const r = await daemon({ FLINTNET_TLS_CERT: a.cert, FLINTNET_TLS_KEY: b.key });
      assertOneLine(r, "FLINTNET_TLS_CERT", "FLINTNET_TLS_KEY", a.cert, b.key, "belongs");
    });
  },
});

Deno.test("an API token file that holds no usable token stops start-up with one line naming it", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/api-token`, "short\n", { mode: 0o600 });
    const r = await daemon({}, { stateDir: dir });
    assertOneLine(r, `${dir}/api-token`, "FLINTNET_API_TOKEN");
    assert.deepEqual(r.stateEntries, ["api-token", LOCK], "nothing else written");
    assert.equal(await Deno.readTextFile(`${dir}/api-token`), "short\n");
  });
});

Deno.test("an interface that does not exist stops start-up with one line naming it and FLINTNET_INTERFACE_WAIT", async () => {
  const r = await daemon({ FLINTNET_INTERFACE: "lo,fnhdnope0", FLINTNET_API_TOKEN: TOKEN });
  const line = assertOneLine(r, "FLINTNET_INTERFACE", '"fnhdnope0"', "FLINTNET_INTERFACE_WAIT=1");
  assert.match(line, /\(it has [^)]*\blo\b/, "the interfaces there are are listed");
  assert.deepEqual(r.stateEntries, [], "nothing written, not even the lock");
});

Deno.test("a second daemon on the same state directory exits 2 naming the PID of the first; after a crash it starts", async () => {
  await withTempDir(async (dir) => {
    const port = freePort();
    const env = {
      FLINTNET_INTERFACE: "lo",
      FLINTNET_CIDR: "127.0.0.1/32",
      FLINTNET_TRAP_LISTEN: "off",
      FLINTNET_STATE_DIR: dir,
      FLINTNET_API_TOKEN: TOKEN,
    };
    const first = await startDaemon({ ...env, FLINTNET_LISTEN: `127.0.0.1:${port}` });
    try {
      // Who holds the first daemon's socket, as the kernel says (ss -p), not as Flintnet says.
      const ss = await new Deno.Command("ss", { args: ["-ltnpH", `sport = :${port}`], stdout: "piped" })
        .output();
      const pid = /pid=(\d+)/.exec(new TextDecoder().decode(ss.stdout))?.[1];
      assert.ok(pid, "ss names the first daemon's PID");
      const before = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
      const second = await daemon({ FLINTNET_API_TOKEN: TOKEN }, { stateDir: dir });
      assertOneLine(second, "FLINTNET_STATE_DIR", JSON.stringify(dir), `PID ${pid}`, `kill ${pid}`);
      assert.deepEqual(second.stateEntries, before, "the second one changed nothing");
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      assert.equal(res.status, 200, "the first one still answers");
      await res.body?.cancel();
    } finally {
      await first.kill(); // SIGKILL: the lock must not outlive the process
    }
    const again = await startDaemon({ ...env, FLINTNET_LISTEN: `127.0.0.1:${freePort()}` });
    assert.equal((await again.terminate()).code, 0);
  });
});

/** GET /healthz of a daemon on `port`. */
async function healthz(port: number): Promise<{ status: string; reasons?: string[] }> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  assert.equal(res.status, 200);
  return await res.json();
}

Deno.test("a trap port in use leaves the daemon running and /healthz degraded, naming it", async () => {
  const held = createSocket("udp4");
  await new Promise<void>((resolve) => held.bind({ address: "127.0.0.1", port: 0 }, resolve));
  const trapPort = held.address().port;
  await withTempDir(async (dir) => {
    const port = freePort();
    const d = await startDaemon({
      FLINTNET_INTERFACE: "lo",
      FLINTNET_CIDR: "127.0.0.1/32",
      FLINTNET_TRAP_LISTEN: `127.0.0.1:${trapPort}`,
      FLINTNET_LISTEN: `127.0.0.1:${port}`,
      FLINTNET_STATE_DIR: dir,
      FLINTNET_API_TOKEN: TOKEN,
    });
    try {
      const h = await healthz(port);
      assert.equal(h.status, "degraded");
      assert.equal(h.reasons?.length, 1);
      assert.match(
        h.reasons![0],
        new RegExp(`^SNMP traps are not received: .*127\\.0\\.0\\.1:${trapPort}.*in use`),
      );
    } finally {
      await d.kill();
      await new Promise<void>((resolve) => held.close(() => resolve()));
    }
  });
});

const netnsMissing = await netnsUnavailable();

Deno.test({
  name:
    "with FLINTNET_INTERFACE_WAIT=1 a missing interface starts degraded, and capture begins when it appears",
  ignore: netnsMissing !== null && !CI,
  async fn() {
    if (netnsMissing) throw new Error(netnsMissing);
    const names = { ns: "fnhd-wait", hostIf: "fnhdwait-h", nsIf: "fnhdwait-n" };
    // Leftovers of a crashed run would make the interface exist already.
    await new Deno.Command("ip", { args: ["link", "del", names.hostIf], stderr: "null" }).output();
    await withTempDir(async (dir) => {
      const port = freePort();
      const d = await startDaemon({
        FLINTNET_INTERFACE: names.hostIf,
        FLINTNET_INTERFACE_WAIT: "1",
        FLINTNET_CIDR: "10.231.221.0/24",
        FLINTNET_TRAP_LISTEN: "off",
        FLINTNET_LISTEN: `127.0.0.1:${port}`,
        FLINTNET_STATE_DIR: dir,
        FLINTNET_API_TOKEN: TOKEN,
      });
      let pair: Awaited<ReturnType<typeof createVethPair>> | undefined;
      try {
        assert.deepEqual(await healthz(port), {
          status: "degraded",
          reasons: [
            `capture on ${names.hostIf} is not running: the interface does not exist (waiting for it to appear)`,
          ],
        });
        pair = await createVethPair({ ...names, hostAddr: "10.231.221.1/24", nsAddr: "10.231.221.2/24" });
        await d.waitForLog(
          (r) => r.msg === "capturing" && r.iface === names.hostIf,
          20_000,
          "capture to begin",
        );
        assert.deepEqual(await healthz(port), { status: "ok" });
      } finally {
        await d.kill();
        await pair?.destroy();
      }
    });
  },
});
