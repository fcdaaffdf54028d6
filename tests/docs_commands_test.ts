/**
 * Every command the README and docs/ show, tried as a user would run it, so the documentation cannot
 * drift from the product. Each line of each ```sh block is either run here or named below with the
 * reason it cannot be; a new line that is neither fails this test.
 *
 * - curl examples run against a real daemon started without a token setting, so the token is the one it
 *   created, read with the README's own `cat` line. Each must answer 200, but for the few whose values are
 *   placeholders (a device that does not exist, a cursor to paste in).
 * - `deno task …` lines run through `deno task` itself: replay on a capture written here, bench with
 *   `--dry-run` (the options and tools are checked; the figures are the benchmark's job).
 * - The quick start's two commands are run by readme_quickstart_test.ts and by CI.
 */
import assert from "node:assert/strict";
import { writePcap } from "./helpers/capture_writer.ts";
import { arp, ethernet, ETHERTYPE_ARP, ETHERTYPE_IPV4, ipv4, PROTO, udp } from "./helpers/frames.ts";
import { freePort } from "./helpers/ports.ts";

const CI = Deno.env.get("CI") === "true";
const REPO = new URL("../", import.meta.url);
const MAIN = new URL("main.ts", REPO).pathname;
const DOCS = ["README.md", ...[...Deno.readDirSync(new URL("docs/", REPO))].map((e) => `docs/${e.name}`)]
  .filter((f) => f.endsWith(".md")).sort();
const hasCurl = await Deno.stat("/usr/bin/curl").then(() => true, () => false);

/** One command line of a ```sh block. */
interface DocCommand {
  file: string;
  /** The line, its trailing comment taken off. */
  line: string;
  /** The lines of the same file that set up $FN, $FN_TOKEN and ${auth[@]}. */
  setup: string[];
}

/** Lines that cannot run here, with why. Matched as prefixes. */
const NOT_RUN: [prefix: string, why: string][] = [
  ["sudo install ", "installs into /usr/local and /etc/systemd: a machine with systemd, not a test run"],
  ["sudo mkdir -p /etc/flintnet", "writes to /etc: installation, not a test run"],
  ["sudo systemctl ", "needs systemd as PID 1"],
  ["journalctl ", "needs systemd's journal"],
  // Production (issue 14):
  ["flintnet version", "the installed binary: tests/cli_test.ts runs `version` from main.ts"],
  [
    "sudo flintnet ",
    "the installed binary: tests/production_runtime_test.ts runs these commands from main.ts",
  ],
  [
    "sha256sum -c flintnet-",
    "a downloaded release: tests/production_build_test.ts checks one the script made",
  ],
  ["tar -xzf flintnet-", "a downloaded release: tests/production_build_test.ts unpacks one the script made"],
  ["sudo rm ", "removes an installation"],
  [
    "docker ",
    "needs a container engine: tests/container_files_test.ts checks the Dockerfile and compose.yaml",
  ],
];

/** The quick start's commands, run by readme_quickstart_test.ts (start) and .ci/run (test). */
const RUN_ELSEWHERE = /^sudo npx --yes deno@[\d.]+ task (start|test)$/;

function commands(): DocCommand[] {
  const out: DocCommand[] = [];
  for (const file of DOCS) {
    const text = Deno.readTextFileSync(new URL(file, REPO));
    const lines: string[] = [];
    for (const block of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
      lines.push(...block[1].split("\n").map((l) => l.replace(/\s+#.*$/, "").trim()).filter(Boolean));
    }
    const setup = lines.filter((l) => l.startsWith("export FN") || l.startsWith("auth=("));
    // `npx --yes deno@<this Deno> task …` is `deno task …` as a reader without Deno installed types it
    const npx = `npx --yes deno@${Deno.version.deno} task `;
    for (const line of lines) {
      out.push({ file, line: line.startsWith(npx) ? `deno task ${line.slice(npx.length)}` : line, setup });
    }
  }
  // A page that shows requests without setting them up relies on the README's setup, as its reader does.
  const readme = out.find((c) => c.file === "README.md" && c.setup.length)?.setup ?? [];
  for (const c of out) if (c.setup.length === 0) c.setup = readme;
  return out;
}

/** What a curl example may answer: its placeholders name nothing that exists. */
function expectedStatus(line: string): number[] {
  if (line.includes("NEXT_CURSOR") || line.includes("ALERT_ID")) return [400];
  if (line.includes("/devices/")) return [404];
  if (line.includes("-X POST $FN/mutes")) return [201];
  if (/-X POST \$FN\/recordings(?!\/)/.test(line)) return [201];
  // 202 starts a sweep; 200 when the one started with the daemon still runs.
  if (line.includes("-X POST $FN/discovery")) return [200, 202];
  return [200];
}

/** A user's paths and addresses, turned into the test daemon's. */
function localise(line: string, port: number, stateDir: string): string {
  return line.replaceAll("http://127.0.0.1:8480", `http://127.0.0.1:${port}`)
    .replaceAll("/var/lib/flintnet", stateDir).replace(/\$\(sudo /g, "$(");
}

async function bash(script: string, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  // As typed in a fresh shell: `deno task test` sets INIT_CWD for this process, and a nested `deno task`
  // would keep it instead of naming the directory the command is typed in.
  const env = Object.fromEntries(Object.entries(Deno.env.toObject()).filter(([k]) => k !== "INIT_CWD"));
  const out = await new Deno.Command("bash", {
    args: ["-c", script],
    cwd,
    clearEnv: true,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

Deno.test("every command in the README and docs/ is run by the tests or says why it cannot be", () => {
  const unhandled = commands().filter(({ line }) =>
    !line.startsWith("curl ") && !line.startsWith("export FN") && !line.startsWith("auth=(") &&
    !line.startsWith("deno task ") && !RUN_ELSEWHERE.test(line) &&
    line !== "sudo cat /var/lib/flintnet/api-token" &&
    !NOT_RUN.some(([p]) => line.startsWith(p))
  );
  assert.deepEqual(unhandled.map((c) => `${c.file}: ${c.line}`), []);
  const tasks = Object.keys(JSON.parse(Deno.readTextFileSync(new URL("deno.json", REPO))).tasks);
  for (const c of commands().filter((c) => c.line.startsWith("deno task ") || RUN_ELSEWHERE.test(c.line))) {
    const name = / task (\S+)/.exec(c.line)![1];
    assert.ok(tasks.includes(name), `${c.file}: "${c.line}" names a task deno.json has`);
  }
});

Deno.test("the docs' deno task commands run as written (replay on a real capture, bench options checked)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-docs-tasks-" });
  try {
    const frames = [0, 1, 2].map((i) => ({
      tsMs: Date.UTC(2025, 0, 6, 9) + i * 1000,
      data: ethernet(
        { src: "52:54:00:00:00:01", dst: "52:54:00:00:00:02", etherType: ETHERTYPE_IPV4 },
        ipv4({ src: "192.0.2.1", dst: "192.0.2.2", proto: PROTO.UDP }, udp({ srcPort: 5000, dstPort: 53 })),
      ),
    }));
    frames.push({
      tsMs: Date.UTC(2025, 0, 6, 9) + 3000,
      data: ethernet(
        { src: "52:54:00:00:00:01", dst: "ff:ff:ff:ff:ff:ff", etherType: ETHERTYPE_ARP },
        arp({
          op: 1,
          sha: "52:54:00:00:00:01",
          spa: "192.0.2.1",
          tha: "00:00:00:00:00:00",
          tpa: "192.0.2.2",
        }),
      ),
    });
    await Deno.writeFile(`${dir}/capture.pcap`, writePcap(frames));
    await Deno.copyFile(`${dir}/capture.pcap`, `${dir}/capture.pcapng`); // the reader goes by content
    const lines = commands().filter((c) => c.line.startsWith("deno task "));
    assert.ok(lines.some((c) => c.line.startsWith("deno task replay")), "the docs show replay");
    for (const { file, line } of lines) {
      const bench = line.startsWith("deno task bench");
      // Run from the scratch directory with the repository's deno.json, as a user in another directory would.
      const cmd = line.replace(/^deno task /, `${Deno.execPath()} task --config ${REPO.pathname}deno.json `) +
        (bench ? " --dry-run" : "");
      const r = await bash(cmd.replace(/\s*>\s*(\S+)$/, " > $1"), dir);
      assert.equal(r.code, 0, `${file}: ${line}\n${r.stderr}`);
      if (line.startsWith("deno task replay")) {
        const out = /\s*>\s*(\S+)$/.exec(line)?.[1];
        const doc = JSON.parse(out ? await Deno.readTextFile(`${dir}/${out}`) : r.stdout);
        assert.equal(doc.totals.frames, 4, `${line}: every frame replayed`);
        assert.equal(doc.totals.arp.arp_packets, 1, `${line}: the ARP watcher saw the ARP frame`);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "every curl example in the README and docs/ works against a running daemon, with the token it created",
  ignore: !hasCurl && !CI,
  async fn() {
    if (!hasCurl) throw new Error("curl is not installed (apt-get install curl)");
    const examples = commands().filter((c) => c.line.startsWith("curl "));
    assert.ok(examples.length >= 25, `the docs show the API (${examples.length} curl lines)`);
    const port = freePort();
    const stateDir = await Deno.makeTempDir({ prefix: "flintnet-docs-" });
    const daemon = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", MAIN],
      env: {
        FLINTNET_ENV_FILE: "/dev/null",
        FLINTNET_STATE_DIR: stateDir,
        FLINTNET_INTERFACE: "lo",
        FLINTNET_CIDR: "127.0.0.1/32",
        FLINTNET_LISTEN: `127.0.0.1:${port}`,
        FLINTNET_LOG_LEVEL: "warn",
        FLINTNET_TRAP_LISTEN: "off",
      },
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const log: string[] = [];
    const reading = (async () => {
      for await (const chunk of daemon.stderr.pipeThrough(new TextDecoderStream())) log.push(chunk);
    })();
    const work = await Deno.makeTempDir();
    try {
      await waitForHealth(port);
      const cat = await bash(
        localise("sudo cat /var/lib/flintnet/api-token", port, stateDir).replace(/^sudo /, ""),
        work,
      );
      assert.equal(cat.code, 0, "the README's way to read the token works");
      for (const { file, line, setup } of examples) {
        // As the file sets it up, then the example with its output redirection taken off, printing only
        // the status; streams are cut after a second.
        const command = line.replace(/\s*>\s*\S+$/, "");
        const stream = command.includes("/stream");
        const script = [
          ...setup.map((l) => localise(l, port, stateDir)),
          `${command} -o /dev/null -w '%{http_code}'${stream ? " --max-time 1" : ""}`,
        ].join("\n");
        const r = await bash(script, work);
        const status = Number(r.stdout.trim());
        assert.ok(expectedStatus(line).includes(status), `${file}: ${line}\n→ ${status} ${r.stderr}`);
      }
    } catch (err) {
      console.error(log.join(""));
      throw err;
    } finally {
      daemon.kill("SIGTERM");
      await daemon.status;
      await reading.catch(() => {});
      await Deno.remove(stateDir, { recursive: true });
      await Deno.remove(work, { recursive: true });
    }
  },
});

async function waitForHealth(port: number): Promise<void> {
  const until = Date.now() + 15_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      await res.body?.cancel();
      if (res.ok) return;
    } catch { /* not listening yet */ }
    if (Date.now() > until) throw new Error("the daemon did not answer /healthz within 15 s");
    await new Promise((r) => setTimeout(r, 100));
  }
}
