/**
 * The daemon as an admin lives with it: settings reloaded without a restart (`flintnet reload`, as the
 * unit's ExecReload runs it, and SIGHUP), the API token rotated while it runs, no secret in a whole
 * run's log, and a stop within systemd's patience while an SMTP server and an event-stream client stall.
 */
import assert from "node:assert/strict";
import { loopbackEnv, startDaemon } from "./helpers/daemon.ts";
import { freePort } from "./helpers/ports.ts";
import { freeUdpPort } from "./helpers/nfcapd.ts";

const REPO = decodeURIComponent(new URL("../", import.meta.url).pathname);
const CI = Deno.env.get("CI") === "true";
const noSnmptrap = await Deno.stat("/usr/bin/snmptrap").then(
  () => null,
  () => "snmptrap is missing: apt-get install snmp",
);

async function flintnet(args: string[], env: Record<string, string>) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${REPO}main.ts`, ...args],
    env: { FLINTNET_ENV_FILE: "/dev/null", ...env },
    clearEnv: true,
    stdin: "null",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function status(url: string, token: string): Promise<number> {
  const r = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  await r.body?.cancel();
  return r.status;
}

Deno.test("flintnet reload applies the token and log level, names what needs a restart, and refuses a bad file whole", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-reload-" });
  const http = freePort();
  const [oldToken, newToken] = ["reload-old-token-0123456789abcdef", "reload-new-token-0123456789abcdef"];
  // As under systemd: the settings are in the environment (EnvironmentFile=), FLINTNET_ENV_FILE=/dev/null.
  const started = {
    ...loopbackEnv(dir, http),
    FLINTNET_API_TOKEN: oldToken,
    FLINTNET_LOG_LEVEL: "info",
    FLINTNET_ANOMALY_K: "4",
  };
  const daemon = await startDaemon(started);
  try {
    const url = `http://127.0.0.1:${http}/stats`;
    assert.equal(await status(url, oldToken), 200);
    const envFile = `${dir}/flintnet.env`;
    const edited = {
      ...started,
      FLINTNET_API_TOKEN: newToken,
      FLINTNET_LOG_LEVEL: "debug",
      FLINTNET_ANOMALY_K: "6",
    };
    await Deno.writeTextFile(envFile, Object.entries(edited).map(([k, v]) => `${k}=${v}\n`).join(""));
    const r = await flintnet(["reload", "--env-file", envFile], { FLINTNET_STATE_DIR: dir });
    assert.equal(r.code, 0, r.stderr);
    const line = await daemon.waitForLog((l) => l.msg === "settings reloaded", 10_000, "the reload line");
    assert.deepEqual(line.changed, ["FLINTNET_ANOMALY_K", "FLINTNET_API_TOKEN", "FLINTNET_LOG_LEVEL"]);
    assert.deepEqual(line.applied, ["FLINTNET_API_TOKEN", "FLINTNET_LOG_LEVEL"]);
    assert.deepEqual(line.restart_needed, ["FLINTNET_ANOMALY_K"]);
    assert.equal(await status(url, oldToken), 401, "the old token no longer works");
    assert.equal(await status(url, newToken), 200, "the new one does");
    // A file with a problem is refused by the command and never reaches the daemon.
    await Deno.writeTextFile(
      envFile,
      `FLINTNET_API_TOKEN=${oldToken}\nFLINTNET_ANOMALY_K=-1\nFLINTNET_LISTEN=x:y\n`,
    );
    const bad = await flintnet(["reload", "--env-file", envFile], { FLINTNET_STATE_DIR: dir });
    assert.equal(bad.code, 2);
    const lines = bad.stderr.trim().split("\n");
    assert.equal(lines.length, 2, bad.stderr);
    assert.match(lines[0], /^flintnet: reload refused: FLINTNET_LISTEN=/);
    assert.match(lines[1], /^flintnet: reload refused: FLINTNET_ANOMALY_K=/);
    // SIGHUP alone re-reads the copy handed over last: the token stays, FLINTNET_ANOMALY_K still waits.
    Deno.kill(daemon.pid, "SIGHUP");
    const again = await daemon.waitForLog(
      (l) => l.msg === "settings reloaded" && (l.applied as string[]).length === 0,
      10_000,
      "the second reload",
    );
    assert.deepEqual(again.restart_needed, ["FLINTNET_ANOMALY_K"]);
    assert.equal(await status(url, newToken), 200);
    assert.equal(await status(url, oldToken), 401);
    assert.equal((await daemon.terminate()).code, 0);
  } finally {
    await daemon.kill();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("flintnet token rotate: the running daemon accepts only the new token from the file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-rotate-" });
  const http = freePort();
  const daemon = await startDaemon(loopbackEnv(dir, http));
  try {
    const url = `http://127.0.0.1:${http}/stats`;
    const old = (await Deno.readTextFile(`${dir}/api-token`)).trim();
    assert.equal(await status(url, old), 200);
    const r = await flintnet(["token", "rotate"], loopbackEnv(dir, http));
    assert.equal(r.code, 0, r.stderr);
    const fresh = (await Deno.readTextFile(`${dir}/api-token`)).trim();
    assert.notEqual(fresh, old);
    assert.ok(!r.stdout.includes(fresh), "the command names the file, never the token");
    assert.match(r.stdout, new RegExp(`PID ${daemon.pid}`));
    assert.equal((await Deno.stat(`${dir}/api-token`)).mode! & 0o777, 0o600);
    await daemon.waitForLog(
      (l) => l.msg === "settings reloaded: nothing changed" && l.new_api_credential === true,
      10_000,
      "the token reload",
    );
    assert.equal(await status(url, old), 401);
    assert.equal(await status(url, fresh), 200);
    assert.ok(!daemon.lines.some((l) => l.includes(fresh) || l.includes(old)), "neither token in the log");
    // A token set as a setting is rotated where it is set: the command says so and changes nothing.
    const fromSetting = await flintnet(["token", "rotate"], {
      ...loopbackEnv(dir, http),
      FLINTNET_API_TOKEN: "set-in-the-env-file-0123456789",
    });
    assert.equal(fromSetting.code, 2);
    assert.match(
      fromSetting.stderr,
      /^flintnet: token rotate: the API token comes from FLINTNET_API_TOKEN; /,
    );
    assert.equal((await Deno.readTextFile(`${dir}/api-token`)).trim(), fresh);
    assert.equal((await daemon.terminate()).code, 0);
  } finally {
    await daemon.kill();
    await Deno.remove(dir, { recursive: true });
  }
});

/** A TCP server that accepts and never answers: an SMTP server stuck before its greeting. */
function tarpit(port: number): { accepted: () => number; close: () => void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  const conns: Deno.Conn[] = [];
  (async () => {
    for await (const c of listener) conns.push(c);
  })().catch(() => {});
  return {
    accepted: () => conns.length,
    close() {
      listener.close();
      for (const c of conns) c.close();
    },
  };
}

Deno.test({
  name:
    "a full run's log holds no secret, and SIGTERM with a stalled SMTP server and a stalled stream client exits 0 within 5 s",
  ignore: noSnmptrap !== null && !CI,
  async fn() {
    if (noSnmptrap) throw new Error(noSnmptrap);
    const dir = await Deno.makeTempDir({ prefix: "flintnet-secrets-" });
    const [http, smtpPort, trapPort] = [freePort(), freePort(), await freeUdpPort()];
    const secrets = {
      FLINTNET_API_TOKEN: "Tok3n-never-logged-0123456789abcdef",
      FLINTNET_SMTP_PASS: "Smtp-pass-never-logged-42",
      FLINTNET_SNMP_COMMUNITY: "Comm-never-logged-7",
      FLINTNET_SNMP_COMMUNITIES: "10.231.70.0/24=Rule-comm-never-logged-8",
      FLINTNET_SNMP_V3: "10.231.71.0/24=monitor:sha:Auth-key-never-logged-9:aes:Priv-key-never-logged-10",
    };
    const needles = [
      "Tok3n-never",
      "Smtp-pass-never",
      "Comm-never",
      "Rule-comm-never",
      "Auth-key-never",
      "Priv-key-never",
    ];
    const envFile = `${dir}/flintnet.env`;
    await Deno.writeTextFile(envFile, Object.entries(secrets).map(([k, v]) => `${k}=${v}\n`).join(""));
    const smtp = tarpit(smtpPort);
    const daemon = await startDaemon({
      ...loopbackEnv(dir, http),
      FLINTNET_ENV_FILE: envFile,
      FLINTNET_LOG_LEVEL: "debug",
      FLINTNET_TRAP_LISTEN: `127.0.0.1:${trapPort}`,
      FLINTNET_SMTP_HOST: "127.0.0.1",
      FLINTNET_SMTP_PORT: String(smtpPort),
      FLINTNET_SMTP_USER: "flintnet",
      FLINTNET_SMTP_TO: "ops@example.net",
      FLINTNET_SMTP_FROM: "flintnet@example.net",
      FLINTNET_DISCOVERY_INTERVAL: "0",
    });
    let stream: Deno.Conn | undefined;
    try {
      const auth = { Authorization: `Bearer ${secrets.FLINTNET_API_TOKEN}` };
      const put = await fetch(`http://127.0.0.1:${http}/config/alerts`, {
        method: "PUT",
        headers: { ...auth, "Content-Type": "application/json" },
        body: JSON.stringify({ routes: { trap: ["email"] } }),
      });
      assert.equal(put.status, 200, await put.text());
      // A stream client that sends its request and then never reads.
      stream = await Deno.connect({ hostname: "127.0.0.1", port: http });
      await stream.write(new TextEncoder().encode(
        `GET /stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${secrets.FLINTNET_API_TOKEN}\r\n\r\n`,
      ));
      // A trap with the community: an alert, mailed to the stalled server; and one with a wrong one.
      for (const community of [secrets.FLINTNET_SNMP_COMMUNITY, "wrong-community"]) {
        const trap = await new Deno.Command("/usr/bin/snmptrap", {
          args: ["-v", "2c", "-c", community, `127.0.0.1:${trapPort}`, "", "1.3.6.1.6.3.1.1.5.1"],
        }).output();
        assert.ok(trap.success, new TextDecoder().decode(trap.stderr));
      }
      for (let i = 0; i < 100 && smtp.accepted() === 0; i++) await new Promise((r) => setTimeout(r, 100));
      assert.ok(smtp.accepted() > 0, `the mail went to the stalled server:\n${daemon.lines.join("\n")}`);
      // A reload that changes secrets names them, never their values.
      await Deno.writeTextFile(envFile, Object.entries(secrets).map(([k, v]) => `${k}=${v}x\n`).join(""));
      Deno.kill(daemon.pid, "SIGHUP");
      const reload = await daemon.waitForLog((l) => l.msg === "settings reloaded", 10_000, "the reload");
      assert.ok((reload.changed as string[]).includes("FLINTNET_SMTP_PASS"));
      const { code, ms } = await daemon.terminate();
      assert.equal(code, 0);
      // systemd's TimeoutStopSec is 10 s; Flintnet promises 5 s, whatever its peers do.
      assert.ok(ms < 5_000, `stopped after ${ms} ms`);
      const log = daemon.lines.join("\n");
      assert.ok(log.includes('"msg":"stopped"'), log);
      for (const n of needles) assert.ok(!log.includes(n), `the log holds ${n}:\n${log}`);
    } finally {
      try {
        stream?.close();
      } catch { /* closed */ }
      smtp.close();
      await daemon.kill();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("flintnet config check --env-file: one line per problem and exit 2; exit 0 for a good file; 2 for no file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-check-" });
  try {
    await Deno.writeTextFile(
      `${dir}/bad.env`,
      "FLINTNET_INTERFACE=lo\nFLINTNET_LISTEN=127.0.0.1:70000\nFLINTNET_HISTORY_DAYS=forever\nFLINTNET_INTERFCE=lo\n",
    );
    const bad = await flintnet(["config", "check", "--env-file", `${dir}/bad.env`], {});
    assert.equal(bad.code, 2);
    assert.deepEqual(bad.stdout.trim().split("\n").map((l) => l.split(":")[0]), [
      "error",
      "error",
      "warning",
      `${dir}/bad.env`,
    ]);
    assert.match(bad.stdout, /did you mean FLINTNET_INTERFACE\?/);
    await Deno.writeTextFile(`${dir}/good.env`, "FLINTNET_INTERFACE=lo\nFLINTNET_CIDR=127.0.0.0/8\n");
    const good = await flintnet(["config", "check", "--env-file", `${dir}/good.env`], {});
    assert.equal(good.code, 0, good.stdout);
    assert.equal(good.stdout, `ok: ${dir}/good.env: 2 settings set, all valid\n`);
    const none = await flintnet(["config", "check", "--env-file", `${dir}/none.env`], {});
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^flintnet: env file ".*none\.env" cannot be read: the file does not exist\n$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
