/**
 * devices.json survives kill -9: a child process saves a growing registry in a loop and is killed with
 * SIGKILL at random moments. After every kill the file must parse and be exactly one generation the
 * child wrote — the last one it reported saved, or the one it was writing — never a torn mix.
 */
import assert from "node:assert/strict";

/** Devices added per generation, and the most the child holds (after that it rewrites them). */
const PER_GEN = 40;
const CAP = 2400;
const KILLS = 24;

const REGISTRY_URL = new URL("../src/devices/registry.ts", import.meta.url).href;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

/**
 * The child: load the file (reporting what load() found), then forever: make generation g (device i
 * is named host-<i>-g<g>), flush, report "saved g". Everything it writes is derived from (i, g), so
 * the parent can check any file against its generation.
 */
const CHILD = `
import { DeviceRegistry } from ${JSON.stringify(REGISTRY_URL)};
const [path, per, cap] = [Deno.args[0], Number(Deno.args[1]), Number(Deno.args[2])];
const out = (o) => Deno.stdout.writeSync(new TextEncoder().encode(JSON.stringify(o) + "\\n"));
const r = new DeviceRegistry({ path, publish: () => {}, saveDelayMs: 3600000, idleSaveDelayMs: 3600000 });
const loaded = await r.load();
const names = r.list().map((d) => d.name);
let g = names.length === 0 ? 0 : Number(/-g(\\d+)$/.exec(names[0])[1]);
out({ loaded: r.size, gen: g, problem: loaded.problem ?? null, movedAside: loaded.movedAside ?? null });
for (;;) {
  g++;
  const n = Math.min(g * per, cap);
  for (let i = 0; i < n; i++) {
    r.observe({
      ip: "10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255),
      source: "snmp",
      system: { sysDescr: "descr-" + i + "-" + "x".repeat(i % 97), sysObjectId: "1.3.6.1.4.1.8072.3.2.10",
        sysName: "host-" + i + "-g" + g, sysServices: 72, sysUpTimeCs: g },
      seenAt: 1767225600000 + i,
    });
  }
  await r.flush();
  out({ saved: g });
}
`;

interface ChildReport {
  loaded?: number;
  gen?: number;
  problem?: string | null;
  movedAside?: string | null;
  saved?: number;
}

/**
 * Runs the child; once `arm` says so, kills it with SIGKILL after `delayMs` — on a timer, so the kill
 * lands wherever the child happens to be, not just after it printed. Returns every report it made,
 * including those still in the pipe at the kill.
 */
async function runChild(
  script: string,
  path: string,
  arm: (reports: ChildReport[]) => boolean,
  delayMs: number,
): Promise<ChildReport[]> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-check",
      "--no-lock",
      "--config",
      CONFIG,
      "--allow-read",
      "--allow-write",
      script,
      path,
      String(PER_GEN),
      String(CAP),
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reports: ChildReport[] = [];
  const stderr = new Response(child.stderr).text();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let killed = false;
  const kill = () => {
    if (killed) return;
    killed = true;
    child.kill("SIGKILL");
  };
  try {
    let buf = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        reports.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
      }
      if (timer === undefined && arm(reports)) timer = setTimeout(kill, delayMs);
    }
    const status = await child.status;
    if (!killed || status.signal !== "SIGKILL") {
      throw new Error(`the child ended by itself (code ${status.code}):\n${await stderr}`);
    }
    return reports;
  } catch (err) {
    kill();
    console.error(await stderr);
    throw err;
  } finally {
    clearTimeout(timer);
    await child.status;
    await stderr;
  }
}

/** Checks the file is one whole generation and returns it (0 when there is no file). */
async function fileGeneration(path: string): Promise<number> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return 0;
    throw err;
  }
  const doc = JSON.parse(text); // throws on a torn file
  assert.equal(doc.schema, 1);
  const devices: { ip: string; name: string; sys_descr: string }[] = doc.devices;
  const gens = new Set(devices.map((d) => Number(/-g(\d+)$/.exec(d.name)![1])));
  assert.equal(gens.size, 1, `one generation per file, found ${[...gens].join(", ")}`);
  const g = [...gens][0];
  assert.equal(devices.length, Math.min(g * PER_GEN, CAP), `generation ${g} has its number of devices`);
  const byIp = new Map(devices.map((d) => [d.ip, d]));
  for (let i = 0; i < devices.length; i++) {
    const d = byIp.get(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
    assert.ok(d, `device ${i} is in generation ${g}`);
    assert.equal(d.name, `host-${i}-g${g}`);
    assert.equal(d.sys_descr, `descr-${i}-${"x".repeat(i % 97)}`);
  }
  return g;
}

Deno.test("devices.json is the old or the new generation, never torn, across repeated kill -9", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-registry-crash-" });
  const script = `${dir}/child.js`;
  const path = `${dir}/state/devices.json`;
  await Deno.mkdir(`${dir}/state`);
  await Deno.writeTextFile(script, CHILD);
  try {
    let previous = 0;
    let midWrite = 0;
    for (let k = 0; k < KILLS; k++) {
      // After a random number of reported saves (0: right after loading), a random delay more.
      const saves = Math.floor(Math.random() * 6);
      const reports = await runChild(script, path, (r) => r.length > saves, Math.random() * 40);
      const start = reports[0];
      assert.equal(start.problem, null, `run ${k}: the file the last kill left loads cleanly`);
      assert.equal(start.gen, previous, `run ${k}: it starts from what the last run left`);
      const saved = reports.filter((r) => r.saved !== undefined).map((r) => r.saved!);
      const acknowledged = saved.length > 0 ? saved[saved.length - 1] : start.gen!;
      const onDisk = await fileGeneration(path);
      assert.ok(
        onDisk === acknowledged || onDisk === acknowledged + 1,
        `run ${k}: file holds generation ${onDisk}; the child had saved ${acknowledged}`,
      );
      const temps = [...Deno.readDirSync(`${dir}/state`)].filter((e) => e.name.endsWith(".tmp"));
      if (temps.length > 0) midWrite++;
      previous = onDisk;
    }
    console.log(`${KILLS} kills, ${midWrite} landed during a write; final generation ${previous}`);
    assert.ok(previous > 0, "the children saved something");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a corrupt devices.json at start is moved aside and reported; the next save is good", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-registry-corrupt-" });
  const script = `${dir}/child.js`;
  const path = `${dir}/devices.json`;
  await Deno.writeTextFile(script, CHILD);
  const garbage = '{"schema":1,"saved_at":"2026-01-01T00:00:00Z","devices":[{"ip":"10.0.0.1","na';
  await Deno.writeTextFile(path, garbage);
  try {
    const reports = await runChild(script, path, (r) => r.some((x) => x.saved === 2), 0);
    const start = reports[0];
    assert.equal(start.loaded, 0, "the registry starts empty");
    assert.match(start.problem!, /not valid JSON/);
    assert.ok(start.movedAside!.startsWith(`${path}.corrupt-`));
    assert.equal(await Deno.readTextFile(start.movedAside!), garbage, "the bad file is kept as it was");
    const g = await fileGeneration(path);
    assert.ok(g >= 2, `the new file holds a whole generation (${g})`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
