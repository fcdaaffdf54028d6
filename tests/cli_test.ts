/**
 * The command line as a user meets it: `main.ts` run as a subprocess from a scratch directory, with
 * FLINTNET_ENV_FILE=/dev/null and a temporary FLINTNET_STATE_DIR, and none of the caller's FLINTNET_*
 * variables. Usage and configuration errors must exit 2 with one line on stderr and start nothing.
 */
import assert from "node:assert/strict";
import { describeSettings } from "../src/config/mod.ts";
import { writePcap } from "./helpers/capture_writer.ts";
import { startDaemon } from "./helpers/daemon.ts";
import { type CliRun, runFlintnet } from "./helpers/flintnet_cli.ts";
import { freePort } from "./helpers/ports.ts";
import { ethernet, ETHERTYPE_IPV4, ipv4, PROTO, udp } from "./helpers/frames.ts";

const CONFIG = decodeURIComponent(new URL("../deno.json", import.meta.url).pathname);

/** Runs `flintnet ARGS` with `env` added to a FLINTNET_*-free environment. */
const flintnet = runFlintnet;

/** Exit 2, one line on stderr containing every `needle`, nothing on stdout, nothing in the state dir. */
function assertRefused(r: CliRun, ...needles: string[]): void {
  assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
  assert.equal(r.errLines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  for (const n of needles) assert.ok(r.errLines[0].includes(n), `stderr names ${n}: ${r.errLines[0]}`);
  assert.equal(r.stdout, "", "nothing on stdout");
  assert.deepEqual(r.stateEntries, [], "nothing written to the state directory");
}

Deno.test("flintnet version prints the version of deno.json, the checkout's commit and Deno's version", async () => {
  const meta = JSON.parse(await Deno.readTextFile(CONFIG));
  const git = await new Deno.Command("git", {
    args: ["-C", new URL("../", import.meta.url).pathname, "rev-parse", "--short=12", "HEAD"],
  }).output();
  const head = new TextDecoder().decode(git.stdout).trim();
  const r = await flintnet(["version"]);
  assert.equal(r.code, 0);
  assert.match(
    r.stdout,
    new RegExp(
      `^flintnet ${meta.version.replaceAll(".", "\\.")} \\(commit ${head}(-dirty)?, deno ${
        Deno.version.deno.replaceAll(".", "\\.")
      }\\)\\n$`,
    ),
  );
  assert.equal(r.stderr, "");
});

Deno.test("flintnet --help lists every FLINTNET_ setting with its default and accepted values", async () => {
  const r = await flintnet(["--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Usage:/);
  assert.match(r.stdout, /replay FILE/);
  // The settings the product documents, named here independently of the config table …
  for (
    const name of [
      "FLINTNET_ENV_FILE",
      "FLINTNET_INTERFACE",
      "FLINTNET_LISTEN",
      "FLINTNET_STATE_DIR",
      "FLINTNET_MAX_FLOWS",
      "FLINTNET_BPF",
      "FLINTNET_EWMA_ALPHA",
    ]
  ) {
    assert.match(r.stdout, new RegExp(`^  ${name} `, "m"), name);
  }
  // … and every setting the table declares.
  for (const s of describeSettings()) {
    assert.match(r.stdout, new RegExp(`^  ${s.name} `, "m"), s.name);
    assert.ok(r.stdout.includes(`accepted: ${s.accepted}`), `${s.name}: accepted values`);
  }
  assert.match(r.stdout, /default: /);
  assert.equal(r.stderr, "");
});

Deno.test("flintnet with an unknown command exits 2 with one line naming it", async () => {
  assertRefused(await flintnet(["frobnicate"]), '"frobnicate"', "replay");
});

Deno.test("flintnet replay without a file exits 2 with one line of usage", async () => {
  assertRefused(await flintnet(["replay"]), "replay", "FILE");
});

Deno.test("flintnet replay with an unknown option exits 2 naming the option", async () => {
  assertRefused(await flintnet(["replay", "--frobnicate", "x.pcap"]), "--frobnicate");
});

Deno.test("flintnet replay of a missing file exits 2 with a message naming the file", async () => {
  const missing = `/nonexistent-${crypto.randomUUID()}.pcap`;
  assertRefused(await flintnet(["replay", missing]), missing);
});

Deno.test("flintnet replay of a file that is not a capture exits 2 naming the file", async () => {
  const path = await Deno.makeTempFile({ prefix: "flintnet_garbage_", suffix: ".pcap" });
  try {
    await Deno.writeTextFile(path, "this is not a packet capture, just text\n".repeat(10));
    assertRefused(await flintnet(["replay", path]), path);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("flintnet replay with a bad FLINTNET_EWMA_ALPHA exits 2 naming the variable and value", async () => {
  const path = await Deno.makeTempFile({ prefix: "flintnet_ok_", suffix: ".pcap" });
  try {
    const frame = ethernet(
      { etherType: ETHERTYPE_IPV4 },
      ipv4({ src: "192.0.2.1", dst: "192.0.2.2", proto: PROTO.UDP }, udp({ srcPort: 1, dstPort: 2 })),
    );
    await Deno.writeFile(path, writePcap([{ data: frame, tsMs: 1_700_000_000_000 }]));
    const ok = await flintnet(["replay", path]);
    assert.equal(ok.code, 0, `the capture itself is fine: ${ok.stderr}`);
    assertRefused(
      await flintnet(["replay", path], { FLINTNET_EWMA_ALPHA: "1.5" }),
      "FLINTNET_EWMA_ALPHA",
      "1.5",
    );
  } finally {
    await Deno.remove(path);
  }
});

/** The daemon on loopback with one bad setting; everything else valid. */
function daemon(bad: Record<string, string>): Promise<CliRun> {
  return flintnet([], { FLINTNET_INTERFACE: "lo", FLINTNET_LISTEN: "127.0.0.1:18480", ...bad });
}

Deno.test("flintnet (daemon) with a bad FLINTNET_MAX_FLOWS exits 2 naming it, before starting", async () => {
  assertRefused(await daemon({ FLINTNET_MAX_FLOWS: "12x" }), "FLINTNET_MAX_FLOWS", "12x");
});

Deno.test("flintnet (daemon) with a bad FLINTNET_LISTEN exits 2 naming it, before starting", async () => {
  assertRefused(await daemon({ FLINTNET_LISTEN: "127.0.0.1:99999" }), "FLINTNET_LISTEN", "127.0.0.1:99999");
});

Deno.test("flintnet (daemon) with a FLINTNET_LIBPCAP that cannot be loaded exits 2 naming it, before starting", async () => {
  assertRefused(
    await daemon({ FLINTNET_LIBPCAP: "/nonexistent/libpcap.so.0.8" }),
    "/nonexistent/libpcap.so.0.8",
    "FLINTNET_LIBPCAP",
  );
  assertRefused(await daemon({ FLINTNET_LIBPCAP: "pcap" }), "FLINTNET_LIBPCAP", "soname");
});

Deno.test({
  // Regression (was a bug): src/cli.ts runCli() catches only ConfigError and UsageError; the BpfError that createApp() throws
  // (src/app.ts, compileBpf) escapes, so a bad FLINTNET_BPF exits 1 with an uncaught-error stack trace on
  // stderr instead of exit 2 and one line.
  name:
    "flintnet (daemon) with a bad FLINTNET_BPF exits 2 with libpcap's reason on one line, before starting",
  async fn() {
    assertRefused(await daemon({ FLINTNET_BPF: "tcp port" }), "FLINTNET_BPF", "tcp port");
  },
});

Deno.test("flintnet (daemon) warns about a misspelt FLINTNET_ variable and names the setting it resembles", async () => {
  const stateDir = await Deno.makeTempDir({ prefix: "flintnet_cli_typo_" });
  const d = await startDaemon({
    FLINTNET_INTERFACE: "lo",
    FLINTNET_CIDR: "127.0.0.1/32",
    FLINTNET_LISTEN: `127.0.0.1:${freePort()}`,
    FLINTNET_STATE_DIR: stateDir,
    FLINTNET_TRAP_LISTEN: "off",
    FLINTNET_API_TOKEN: "cli-typo-token-0123456789",
    FLINTNET_LERNING_PERIOD: "1h",
    FLINTNET_NO_SUCH_THING: "1",
  });
  try {
    const warnings = d.records().filter((r) => String(r.msg).startsWith("unknown setting ignored"));
    assert.deepEqual(warnings.map((w) => [w.variable, w.msg]), [
      ["FLINTNET_LERNING_PERIOD", "unknown setting ignored: did you mean FLINTNET_LEARNING_PERIOD?"],
      ["FLINTNET_NO_SUCH_THING", "unknown setting ignored: is it misspelt?"],
    ]);
  } finally {
    await d.kill();
    await Deno.remove(stateDir, { recursive: true });
  }
});
