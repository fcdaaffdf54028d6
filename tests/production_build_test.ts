/**
 * The single binary and the release, as far as this machine can go (it cannot download `denort`):
 * the compile step with a stand-in runtime embeds the Workers, the dashboard and the commit; the
 * program started from `/` (as systemd starts it) serves the dashboard and runs its capture, NetFlow and
 * replay Workers, so nothing depends on the working directory; the release script packs a binary with
 * the unit, an env example, the README and the licence, and checksums that `sha256sum -c` accepts.
 */
import assert from "node:assert/strict";
import { loopbackEnv, startDaemon } from "./helpers/daemon.ts";
import { writePcap } from "./helpers/capture_writer.ts";
import { ethernet, ETHERTYPE_IPV4, ipv4, payload, PROTO, udp } from "./helpers/frames.ts";
import { u16, u32, u8 } from "./helpers/netflow_datagrams.ts";
import { freePort } from "./helpers/ports.ts";
import { freeUdpPort } from "./helpers/nfcapd.ts";
import { createSocket } from "node:dgram";

const REPO = decodeURIComponent(new URL("../", import.meta.url).pathname);
const meta = JSON.parse(await Deno.readTextFile(`${REPO}deno.json`));

async function run(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const out = await new Deno.Command(cmd, { args, stdin: "null", ...opts }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function gitHead(): Promise<string> {
  return (await run("git", ["-C", REPO, "rev-parse", "--short=12", "HEAD"])).stdout.trim();
}

Deno.test("the compile step embeds the three Workers, the dashboard and the commit it was built from", async () => {
  await Deno.stat(`${REPO}ui/dist/index.html`); // deno task test builds the UI first
  const dir = await Deno.makeTempDir({ prefix: "flintnet-compile-" });
  try {
    // A stand-in runtime: the result cannot run as Flintnet, but deno compile resolves every include,
    // type-checks, and writes every embedded file into it, which is what this checks.
    const r = await run(Deno.execPath(), ["run", "-A", "scripts/compile.ts", "--output", `${dir}/flintnet`], {
      cwd: REPO,
      env: { DENORT_BIN: Deno.execPath(), NO_COLOR: "1" },
    });
    assert.equal(r.code, 0, r.stderr);
    for (
      const part of [
        "capture_worker.ts",
        "file_worker.ts",
        "collector_worker.ts",
        "ui/dist/",
        "build_commit.txt",
      ]
    ) {
      assert.ok(r.stderr.includes(part) || r.stdout.includes(part), `embedded: ${part}\n${r.stderr}`);
    }
    assert.ok(!(r.stderr + r.stdout).includes("playwright-core"), "test-only npm packages are not embedded");
    const binary = await Deno.readFile(`${dir}/flintnet`);
    const head = new TextEncoder().encode(await gitHead());
    assert.ok(indexOf(binary, head) >= 0, "the commit is inside the binary");
    await assert.rejects(Deno.stat(`${REPO}src/base/build_commit.txt`), "the stamped commit file is removed");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the compile step names DENORT_BIN when the runtime cannot be had", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-compile-" });
  try {
    const r = await run(Deno.execPath(), ["run", "-A", "scripts/compile.ts", "--output", `${dir}/flintnet`], {
      cwd: REPO,
      env: { DENORT_BIN: `${dir}/no-denort`, NO_COLOR: "1" },
    });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /DENORT_BIN/);
    assert.ok(r.stderr.includes(`Could not find denort at '${dir}/no-denort'`), r.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (
    let i = hay.indexOf(needle[0]);
    i >= 0 && i <= hay.length - needle.length;
    i = hay.indexOf(needle[0], i + 1)
  ) {
    for (let j = 1; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** Frames the capture Worker on lo decoded, from /stats. */
function loFrames(stats: Record<string, Record<string, unknown>>): number {
  return (stats.capture?.lo as { decode?: { frames?: number } } | undefined)?.decode?.frames ?? 0;
}

/** One NetFlow v5 datagram with one record (Cisco's v5 layout: 24-byte header, 48-byte record). */
function netflowV5(): Uint8Array {
  const now = Math.floor(Date.now() / 1000);
  return new Uint8Array([
    ...u16(5),
    ...u16(1),
    ...u32(100_000),
    ...u32(now),
    ...u32(0),
    ...u32(1),
    ...u8(0),
    ...u8(0),
    ...u16(0),
    ...[10, 231, 70, 1],
    ...[10, 231, 70, 2],
    ...[0, 0, 0, 0],
    ...u16(1),
    ...u16(2),
    ...u32(7),
    ...u32(7_000),
    ...u32(90_000),
    ...u32(99_000),
    ...u16(40000),
    ...u16(443),
    ...u8(0),
    ...u8(0x18),
    ...u8(6),
    ...u8(0),
    ...u16(0),
    ...u16(0),
    ...u8(24),
    ...u8(24),
    ...u16(0),
  ]);
}

Deno.test("flintnet started from / serves the dashboard and runs its capture and NetFlow Workers", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-cwd-" });
  const token = "cwd-test-token-0123456789abcdef";
  const [http, netflow] = [freePort(), await freeUdpPort()];
  const daemon = await startDaemon(
    {
      ...loopbackEnv(dir, http),
      FLINTNET_API_TOKEN: token,
      FLINTNET_NETFLOW_LISTEN: `127.0.0.1:${netflow}`,
    },
    30_000,
    undefined,
    { cwd: "/" },
  );
  try {
    const page = await fetch(`http://127.0.0.1:${http}/`);
    assert.equal(page.status, 200);
    const html = await page.text();
    const script = html.match(/src="\/?([^"]+\.js)"/)?.[1];
    assert.ok(script, `the page names its script: ${html}`);
    const js = await fetch(`http://127.0.0.1:${http}/${script}`);
    assert.equal(js.status, 200);
    assert.deepEqual(
      await js.bytes(),
      await Deno.readFile(`${REPO}ui/dist/${script.replace(/^ui\//, "")}`),
      "the built bundle",
    );
    const sock = createSocket("udp4");
    await new Promise<void>((resolve, reject) =>
      sock.send(netflowV5(), netflow, "127.0.0.1", (err) => err ? reject(err) : resolve())
    );
    sock.close();
    let stats: Record<string, Record<string, Record<string, number>>> = {};
    for (let i = 0; i < 100; i++) {
      stats = await (await fetch(`http://127.0.0.1:${http}/stats`, {
        headers: { Authorization: `Bearer ${token}` },
      }))
        .json();
      if (
        stats.collector?.records as unknown === 1 &&
        loFrames(stats) > 0
      ) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(
      stats.collector.records as unknown,
      1,
      `the NetFlow Worker decoded the record: ${JSON.stringify(stats.collector)}`,
    );
    assert.ok(
      loFrames(stats) > 0,
      `the capture Worker saw this test's HTTP on lo: ${JSON.stringify(stats.capture)}`,
    );
    const { code } = await daemon.terminate();
    assert.equal(code, 0);
  } finally {
    await daemon.kill();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("flintnet replay run from / reads the file through its Worker", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-cwd-replay-" });
  try {
    const frames = Array.from({ length: 5 }, (_, i) => ({
      data: ethernet(
        { etherType: ETHERTYPE_IPV4 },
        ipv4(
          { src: "10.231.70.1", dst: "10.231.70.2", proto: PROTO.UDP },
          udp({ srcPort: 5000 + i, dstPort: 53 }, payload(20)),
        ),
      ),
      tsMs: 1_700_000_000_000 + i,
    }));
    await Deno.writeFile(`${dir}/five.pcap`, writePcap(frames));
    const r = await run(Deno.execPath(), ["run", "-A", `${REPO}main.ts`, "replay", `${dir}/five.pcap`], {
      cwd: "/",
      env: { FLINTNET_ENV_FILE: "/dev/null" },
    });
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.totals.frames, 5, JSON.stringify(doc.totals));
    assert.equal(doc.flows.length, 5);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A stand-in for the compiled binary: answers `version` as Flintnet does. */
async function standIn(dir: string, version: string): Promise<string> {
  const path = `${dir}/flintnet-stand-in`;
  await Deno.writeTextFile(path, `#!/bin/sh\necho "flintnet ${version} (commit 0123456789ab, deno 2.9.6)"\n`);
  await Deno.chmod(path, 0o755);
  return path;
}

Deno.test("the release script packs binary, unit, env example, README, licence and checksums sha256sum accepts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-release-test-" });
  try {
    const binary = await standIn(dir, meta.version);
    await Deno.writeTextFile(`${dir}/LICENSE`, "licence text of the test\n");
    const r = await run(Deno.execPath(), [
      "run",
      "-A",
      "scripts/release.ts",
      "--binary",
      binary,
      "--out",
      `${dir}/out`,
      "--licence",
      `${dir}/LICENSE`,
      "--arch",
      "x64",
    ], { cwd: REPO });
    assert.equal(r.code, 0, r.stderr);
    const name = `flintnet-${meta.version}-linux-x64`;
    const listing = (await run("tar", ["-tzf", `${dir}/out/${name}.tar.gz`])).stdout.trim().split("\n")
      .sort();
    assert.deepEqual(listing, [
      `${name}/`,
      `${name}/LICENSE`,
      `${name}/README.md`,
      `${name}/SHA256SUMS`,
      `${name}/docs/`,
      `${name}/docs/operations.md`,
      `${name}/flintnet`,
      `${name}/flintnet.env.example`,
      `${name}/flintnet.service`,
    ]);
    const outer = await run("sha256sum", ["-c", `${name}.tar.gz.sha256`], { cwd: `${dir}/out` });
    assert.equal(outer.code, 0, outer.stdout + outer.stderr);
    await run("tar", ["-xzf", `${dir}/out/${name}.tar.gz`, "-C", `${dir}/out`]);
    const inner = await run("sha256sum", ["-c", "SHA256SUMS"], { cwd: `${dir}/out/${name}` });
    assert.equal(inner.code, 0, inner.stdout + inner.stderr);
    assert.equal(inner.stdout.trim().split("\n").length, 6, inner.stdout);
    assert.deepEqual(
      await Deno.readFile(`${dir}/out/${name}/flintnet.service`),
      await Deno.readFile(`${REPO}flintnet.service`),
    );
    assert.equal((await Deno.stat(`${dir}/out/${name}/flintnet`)).mode! & 0o777, 0o755);
    assert.match(
      await Deno.readTextFile(`${dir}/out/${name}/flintnet.env.example`),
      /^#FLINTNET_INTERFACE=$/m,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the release script refuses a binary of another version, and a missing licence, in one line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-release-test-" });
  try {
    await Deno.writeTextFile(`${dir}/LICENSE`, "x\n");
    const other = await standIn(dir, "0.0.1-other");
    const r = await run(Deno.execPath(), [
      "run",
      "-A",
      "scripts/release.ts",
      "--binary",
      other,
      "--out",
      `${dir}/out`,
      "--licence",
      `${dir}/LICENSE`,
    ], { cwd: REPO });
    assert.equal(r.code, 2);
    assert.match(
      r.stderr.trim(),
      new RegExp(`^release: .* not flintnet ${meta.version.replaceAll(".", "\\.")}$`),
    );
    const noLicence = await run(Deno.execPath(), [
      "run",
      "-A",
      "scripts/release.ts",
      "--binary",
      other,
      "--licence",
      `${dir}/missing`,
    ], { cwd: REPO });
    assert.equal(noLicence.code, 2);
    assert.match(noLicence.stderr.trim(), /^release: no licence file at .*missing/);
    await assert.rejects(Deno.stat(`${dir}/out`), "nothing written");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("no file in src/ opens a path relative to the working directory or starts a Worker by a bare path", async () => {
  const offenders: string[] = [];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory) await walk(path);
      else if (e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) {
        const text = await Deno.readTextFile(path);
        // A string literal that is not absolute handed to a file or Worker API.
        const re =
          /(Deno\.(?:readTextFile|readFile|open|readDir|stat|lstat)(?:Sync)?|new Worker)\(\s*["'`](?![/]|\$\{)([^"'`]*)["'`]/g;
        for (const m of text.matchAll(re)) offenders.push(`${path.slice(REPO.length)}: ${m[1]}("${m[2]}")`);
      }
    }
  };
  await walk(`${REPO}src`);
  assert.deepEqual(offenders, []);
});

Deno.test("deno task start transpiles main.ts and every Worker the program starts before the daemon runs", () => {
  const tasks = JSON.parse(Deno.readTextFileSync(`${REPO}deno.json`)).tasks;
  assert.ok(tasks.start.dependencies.includes("cache"), "start depends on cache");
  const cached = tasks.cache.command.split(/\s+/).slice(2); // after "deno cache"
  // Every Worker src/ starts, by the URL it gives, relative to the file that starts it.
  const workers = new Set<string>();
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(`${REPO}${dir}`)) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory) walk(path);
      else if (e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) {
        const text = Deno.readTextFileSync(`${REPO}${path}`);
        for (const m of text.matchAll(/new Worker\(new URL\("\.\/([^"]+)", import\.meta\.url\)/g)) {
          workers.add(`${dir}/${m[1]}`);
        }
      }
    }
  };
  walk("src");
  assert.ok(workers.size >= 4, `${[...workers]}: the Workers found`);
  assert.deepEqual(cached.sort(), ["main.ts", ...workers].sort());
});
