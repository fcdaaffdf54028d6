/**
 * The README's curl examples, run as a user would run them against a real daemon: a README that
 * drifts from the API fails this test. Each example must answer 200, but for the two whose values
 * are placeholders (a device that does not exist, a cursor to paste in).
 */
import assert from "node:assert/strict";

const CI = Deno.env.get("CI") === "true";
const README = new URL("../README.md", import.meta.url);
const MAIN = new URL("../main.ts", import.meta.url).pathname;
const PORT = 18482;
const TOKEN = "readme-token-0123456789abcdef";
const hasCurl = await Deno.stat("/usr/bin/curl").then(() => true, () => false);

/** The curl lines of the README's API section: the first sh block after "## The HTTP API", and the stream block. */
async function examples(): Promise<string[]> {
  const text = await Deno.readTextFile(README);
  const section = text.slice(text.indexOf("## The HTTP API"), text.indexOf("### Hardening"));
  return section.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("curl "));
}

/** What an example may answer: its placeholders name nothing that exists. */
function expectedStatus(line: string): number[] {
  if (line.includes("NEXT_CURSOR") || line.includes("ALERT_ID")) return [400];
  if (line.includes("/devices/")) return [404];
  if (line.includes("-X POST $FN/mutes")) return [201];
  // 202 starts a sweep; 200 when the one started with the daemon still runs.
  if (line.includes("-X POST $FN/discovery")) return [200, 202];
  return [200];
}

Deno.test({
  name: "every curl example in the README's API section works against a running daemon",
  ignore: !hasCurl && !CI,
  async fn() {
    if (!hasCurl) throw new Error("curl is not installed (apt-get install curl)");
    const lines = await examples();
    assert.ok(lines.length >= 15, `the README shows the API (${lines.length} curl lines)`);
    const stateDir = await Deno.makeTempDir({ prefix: "flintnet-readme-" });
    const daemon = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", MAIN],
      env: {
        FLINTNET_ENV_FILE: "/dev/null",
        FLINTNET_STATE_DIR: stateDir,
        FLINTNET_INTERFACE: "lo",
        FLINTNET_LISTEN: `127.0.0.1:${PORT}`,
        FLINTNET_API_TOKEN: TOKEN,
        FLINTNET_LOG_LEVEL: "warn",
        FLINTNET_TRAP_LISTEN: "off",
      },
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const stderr = daemon.stderr.pipeThrough(new TextDecoderStream());
    const log: string[] = [];
    const reading = (async () => {
      for await (const chunk of stderr) log.push(chunk);
    })();
    try {
      await waitForHealth();
      const work = await Deno.makeTempDir();
      for (const line of lines) {
        // As the README sets it up, then the example with its comment and output redirection taken off,
        // printing only the status; streams are cut after a second.
        const command = line.replace(/\s+#.*$/, "").replace(/\s*>\s*\S+$/, "");
        const stream = command.includes("/stream");
        const script = [
          `FN=http://127.0.0.1:${PORT}`,
          `FN_TOKEN=${TOKEN}`,
          `auth=(-H "Authorization: Bearer $FN_TOKEN")`,
          `${command} -o /dev/null -w '%{http_code}'${stream ? " --max-time 1" : ""}`,
        ].join("\n");
        const out = await new Deno.Command("bash", {
          args: ["-c", script],
          cwd: work,
          stdout: "piped",
          stderr: "piped",
        })
          .output();
        const status = Number(new TextDecoder().decode(out.stdout).trim());
        assert.ok(
          expectedStatus(line).includes(status),
          `${line}\n→ ${status} ${new TextDecoder().decode(out.stderr)}`,
        );
      }
      await Deno.remove(work, { recursive: true });
    } catch (err) {
      console.error(log.join(""));
      throw err;
    } finally {
      daemon.kill("SIGTERM");
      await daemon.status;
      await reading.catch(() => {});
      await Deno.remove(stateDir, { recursive: true });
    }
  },
});

async function waitForHealth(): Promise<void> {
  const until = Date.now() + 15_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${PORT}/healthz`);
      await res.body?.cancel();
      if (res.ok) return;
    } catch { /* not listening yet */ }
    if (Date.now() > until) throw new Error("the daemon did not answer /healthz within 15 s");
    await new Promise((r) => setTimeout(r, 100));
  }
}
