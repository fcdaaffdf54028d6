/**
 * flintnet.service as systemd judges it, and the sandbox it sets up as Flintnet meets it. This machine
 * runs no systemd (PID 1 is not systemd), so the unit is never started here; instead:
 * - `systemd-analyze security --offline=true` scores it (≤ 2.5 promised) and `systemd-analyze verify`
 *   accepts it with the binary installed (a copy of the unit whose paths name a stand-in executable);
 * - every system call a traced Flintnet makes (strace, while it captures, serves HTTP, collects NetFlow,
 *   reloads and stops) is in the set the unit's SystemCallFilter lines allow, expanded by systemd itself;
 * - Flintnet runs in the /proc that ProtectProc=invisible and ProcSubset=pid give it (a procfs mounted
 *   with hidepid=invisible,subset=pid in a mount namespace of its own, as systemd mounts it) with only
 *   the unit's two capabilities, and still captures and finds its default route.
 */
import assert from "node:assert/strict";
import { loopbackEnv, startDaemon } from "./helpers/daemon.ts";
import { freePort } from "./helpers/ports.ts";

const CI = Deno.env.get("CI") === "true";
const REPO = decodeURIComponent(new URL("../", import.meta.url).pathname);
const UNIT = `${REPO}flintnet.service`;
const has = (path: string) => Deno.stat(path).then(() => true, () => false);
const missing = !(await has("/usr/bin/systemd-analyze"))
  ? "systemd-analyze is missing: apt-get install systemd"
  : !(await has("/usr/bin/strace"))
  ? "strace is missing: apt-get install strace"
  : null;

/**
 * System calls the traced run makes only because the test runs as root, and why the filter may refuse
 * them: SQLite gives a new WAL file the database's owner only when its effective UID is 0, and ignores a
 * failure; the unit runs Flintnet as an unprivileged user (DynamicUser=yes), where it never calls it.
 */
const ROOT_ONLY = new Set(["fchown"]);

async function run(cmd: string, args: string[], cwd?: string) {
  const out = await new Deno.Command(cmd, { args, stdin: "null", ...(cwd ? { cwd } : {}) }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

const t = (name: string, fn: () => Promise<void>) =>
  Deno.test({
    name,
    ignore: missing !== null && !CI,
    async fn() {
      if (missing) throw new Error(missing);
      await fn();
    },
  });

t("flintnet.service scores at most 2.5 on systemd-analyze security --offline=true", async () => {
  const r = await run("systemd-analyze", ["security", "--offline=true", "--no-pager", UNIT]);
  const score = Number(r.stdout.match(/Overall exposure level for flintnet\.service: ([0-9.]+)/)?.[1]);
  assert.ok(Number.isFinite(score), r.stdout + r.stderr);
  assert.ok(score <= 2.5, `exposure ${score} > 2.5:\n${r.stdout}`);
});

t("flintnet.service passes systemd-analyze verify with the binary installed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-unit-" });
  try {
    const binary = `${dir}/flintnet`;
    await Deno.writeTextFile(binary, "#!/bin/sh\nexit 0\n");
    await Deno.chmod(binary, 0o755);
    const unit = (await Deno.readTextFile(UNIT)).replaceAll("/usr/local/bin/flintnet", binary);
    await Deno.writeTextFile(`${dir}/flintnet.service`, unit);
    const ok = await run("systemd-analyze", ["verify", `${dir}/flintnet.service`]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.ok(!/flintnet\.service/.test(ok.stderr), `no complaint about the unit:\n${ok.stderr}`);
    // The same check refuses the unit when the binary is not there, so the pass above means something.
    await Deno.remove(binary);
    const bad = await run("systemd-analyze", ["verify", `${dir}/flintnet.service`]);
    assert.match(bad.stderr, /is not executable|No such file/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Every system call name in each systemd group, groups inside groups expanded. */
async function syscallGroups(): Promise<Map<string, string[]>> {
  const out = (await run("systemd-analyze", ["syscall-filter", "--no-pager"])).stdout;
  const groups = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const raw of out.split("\n")) {
    const line = raw.replace(/#.*$/, "").trim();
    if (raw.startsWith("@")) groups.set(raw.trim(), current = []);
    else if (line && current) current.push(line);
  }
  return groups;
}

function expand(name: string, groups: Map<string, string[]>, into = new Set<string>()): Set<string> {
  if (!name.startsWith("@")) return into.add(name);
  for (const m of groups.get(name) ?? []) expand(m, groups, into);
  return into;
}

/** The calls the unit's SystemCallFilter= lines allow, in order (an allow list, then ~ removals). */
async function allowedByUnit(): Promise<Set<string>> {
  const groups = await syscallGroups();
  const lines = (await Deno.readTextFile(UNIT)).split("\n").filter((l) => l.startsWith("SystemCallFilter="));
  assert.ok(lines.length > 0 && !lines[0].includes("=~"), "the filter starts with an allow list");
  const allowed = expand("@default", groups); // systemd always allows @default
  for (const l of lines) {
    const value = l.slice("SystemCallFilter=".length);
    const deny = value.startsWith("~");
    for (const item of value.replace(/^~/, "").split(/\s+/).filter(Boolean)) {
      for (const call of expand(item, groups)) deny ? allowed.delete(call) : allowed.add(call);
    }
  }
  return allowed;
}

t("every system call a traced Flintnet makes is allowed by the unit's SystemCallFilter", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-strace-" });
  const [http, netflow] = [freePort(), freePort()];
  const token = "strace-test-token-0123456789abcdef";
  const daemon = await startDaemon(
    {
      ...loopbackEnv(dir, http),
      FLINTNET_API_TOKEN: token,
      FLINTNET_NETFLOW_LISTEN: `127.0.0.1:${netflow}`,
    },
    60_000,
    undefined,
    { wrap: (argv) => ["strace", "-f", "-qq", "-o", `${dir}/trace`, ...argv] },
  );
  try {
    for (const path of ["/", "/stats", "/flows", "/devices", "/metrics", "/alerts"]) {
      const r = await fetch(`http://127.0.0.1:${http}${path}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      assert.equal(r.status, 200, path);
      await r.body?.cancel();
    }
    const deno = Number(
      (await Deno.readTextFile(`/proc/${daemon.pid}/task/${daemon.pid}/children`)).trim().split(" ")[0],
    );
    Deno.kill(deno, "SIGHUP");
    await daemon.waitForLog((r) => r.component === "reload", 10_000, "the reload line");
    Deno.kill(deno, "SIGTERM");
    await daemon.waitForLog((r) => r.msg === "stopped", 15_000, '"stopped"');
    await daemon.kill();
    const used = new Set<string>();
    for (const line of (await Deno.readTextFile(`${dir}/trace`)).split("\n")) {
      const m = line.match(/^\d+\s+(?:<\.\.\. )?([a-z0-9_]+)[( ]/);
      if (m && m[1] !== "exited" && m[1] !== "killed") used.add(m[1]);
    }
    assert.ok(
      used.has("socket") && used.has("mmap") && used.has("poll"),
      `the trace holds the capture: ${[...used]}`,
    );
    const allowed = await allowedByUnit();
    const refused = [...used].filter((c) => !allowed.has(c) && !ROOT_ONLY.has(c)).sort();
    assert.deepEqual(refused, [], `calls the unit's filter would refuse (EPERM): ${refused.join(", ")}`);
  } finally {
    await daemon.kill();
    await Deno.remove(dir, { recursive: true });
  }
});

/** Wraps a command in the unit's /proc and capabilities: a procfs with subset=pid, hidepid=invisible. */
function sandboxed(argv: string[]): string[] {
  const script = 'mount -t proc -o subset=pid,hidepid=invisible proc /proc || exit 97; exec "$@"';
  return [
    "unshare",
    "-m",
    "--propagation",
    "private",
    "sh",
    "-c",
    script,
    "sh",
    "setpriv",
    "--bounding-set=-all,+net_raw,+net_bind_service",
    "--inh-caps=-all,+net_raw,+net_bind_service",
    "--ambient-caps=-all,+net_raw,+net_bind_service",
    "--no-new-privs",
    ...argv,
  ];
}

t(
  "Flintnet captures and finds its default route in the unit's /proc (ProcSubset=pid) with only its two capabilities",
  async () => {
    // The emulation hides what ProcSubset=pid hides: /proc/net is gone there.
    const hidden = await run(
      sandboxed(["cat", "/proc/net/route"])[0],
      sandboxed(["cat", "/proc/net/route"]).slice(1),
    );
    assert.notEqual(hidden.code, 0, "no /proc/net under subset=pid");
    assert.match(hidden.stderr, /No such file/);
    // Zero configuration picks the interface of the default route; config check resolves it as start does.
    const route = await run("ip", ["-4", "route", "show", "default"]);
    if (route.stdout.trim() !== "") {
      const argv = sandboxed([
        Deno.execPath(),
        "run",
        "-A",
        `${REPO}main.ts`,
        "config",
        "check",
        "--env-file",
        "/dev/null",
      ]);
      const check = await run(argv[0], argv.slice(1));
      assert.equal(check.code, 0, check.stdout + check.stderr);
    }
    const dir = await Deno.makeTempDir({ prefix: "flintnet-procsubset-" });
    const http = freePort();
    const token = "procsubset-token-0123456789abcdef";
    const daemon = await startDaemon(
      {
        ...loopbackEnv(dir, http),
        FLINTNET_API_TOKEN: token,
      },
      60_000,
      undefined,
      { wrap: sandboxed },
    );
    try {
      let frames = 0;
      for (let i = 0; i < 50 && frames === 0; i++) {
        const stats = await (await fetch(`http://127.0.0.1:${http}/stats`, {
          headers: { Authorization: `Bearer ${token}` },
        })).json();
        frames = stats.capture.lo.decode.frames;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(frames > 0, "the AF_PACKET capture runs with CAP_NET_RAW alone");
      const status = (await Deno.readTextFile(`/proc/${daemon.pid}/status`)).match(/^CapEff:\s+(\w+)$/m)?.[1];
      // CAP_NET_BIND_SERVICE (10) and CAP_NET_RAW (13): 0x2400.
      assert.equal(BigInt(`0x${status}`), 0x2400n, `effective capabilities ${status}`);
      const { code } = await daemon.terminate();
      assert.equal(code, 0);
    } finally {
      await daemon.kill();
      await Deno.remove(dir, { recursive: true });
    }
  },
);
