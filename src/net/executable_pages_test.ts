import assert from "node:assert/strict";
import { droppableRanges } from "./executable_pages.ts";

/** One smaps entry as the kernel writes it (the fields that matter here, in its order). */
function entry(range: string, perms: string, path: string, rssKb: number, anonKb: number): string {
  return [
    `${range} ${perms} 00000000 08:01 1234${path ? `                       ${path}` : ""}`,
    "Size:               1024 kB",
    `Rss:                ${rssKb} kB`,
    "Pss:                 100 kB",
    `Anonymous:          ${anonKb} kB`,
    "VmFlags: rd ex mr mw me",
  ].join("\n");
}

Deno.test("droppableRanges() takes the executable's private, unwritten, read-only mappings and nothing else", () => {
  const exe = "/usr/local/bin/deno";
  const smaps = [
    entry("55bfa3e55000-55bfa59e3000", "r--p", exe, 13_352, 0), // read-only data: yes
    entry("55bfa5c59000-55bfa994d000", "r-xp", exe, 25_604, 0), // code: yes
    entry("55bfa994d000-55bfa9bbf000", "rw-p", exe, 2_504, 2_504), // data: written
    entry("55bfa9bcf000-55bfa9bd0000", "r--p", exe, 4, 4), // RELRO: relocated, then made read-only
    entry("55bfa9bd0000-55bfa9bd1000", "r--p", exe, 0, 0), // nothing resident
    entry("7f7a0fdc0000-7f7a0ffe6000", "r-xp", exe, 2_104, 0), // an isolate's copy of V8's builtins
    entry("7f7a2e200000-7f7a2e7b9000", "r--s", exe, 2_556, 0), // shared: not ours to drop
    entry("7f7a2e800000-7f7a2edb9000", "r--p", "/usr/lib/x86_64-linux-gnu/libc.so.6", 896, 0),
    entry("7f7a2edc1000-7f7a2edea000", "rw-p", "", 100, 100), // anonymous memory
    entry("7f7a2edea000-7f7a2edf2000", "r-xp", `${exe} (deleted)`, 32, 0), // another file now
  ].join("\n") + "\n";
  assert.deepEqual(droppableRanges(smaps, exe), [
    { start: 0x55bfa3e55000n, length: 0x55bfa59e3000n - 0x55bfa3e55000n, residentBytes: 13_352 * 1024 },
    { start: 0x55bfa5c59000n, length: 0x55bfa994d000n - 0x55bfa5c59000n, residentBytes: 25_604 * 1024 },
    { start: 0x7f7a0fdc0000n, length: 0x7f7a0ffe6000n - 0x7f7a0fdc0000n, residentBytes: 2_104 * 1024 },
  ]);
  // A kernel that does not say which pages were written: nothing is dropped.
  const noAnonymous = smaps.split("\n").filter((l) => !l.startsWith("Anonymous:")).join("\n");
  assert.deepEqual(droppableRanges(noAnonymous, exe), []);
});

/** Runs `code` in a new Deno process with this module at hand; its stdout as JSON. */
async function inProcess(code: string): Promise<Record<string, number>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--quiet", code],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr) + text);
  return JSON.parse(text);
}

Deno.test("releaseExecutablePages() takes the executable's pages out of the RSS, and the process runs on", async () => {
  const module = new URL("./executable_pages.ts", import.meta.url).href;
  // A process that has run a fair part of the runtime (TypeScript, the Node compatibility layer, crypto,
  // a Worker), measured by the kernel before and after, then doing the same work again: each result must
  // be what it was, from pages read back from the file.
  const r = await inProcess(`
    import { releaseExecutablePages } from ${JSON.stringify(module)};
    import { createHash } from "node:crypto";
    const rss = () => Number(/VmRSS:\\s+(\\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"))[1]) * 1024;
    const work = async () => {
      const hash = createHash("sha256").update("flintnet").digest("hex");
      const w = new Worker("data:text/javascript,self.onmessage = (e) => { self.postMessage(e.data * 2); };", { type: "module" });
      const doubled = await new Promise((res) => { w.onmessage = (e) => res(e.data); w.postMessage(21); });
      w.terminate();
      return hash + " " + doubled + " " + JSON.stringify(structuredClone({ a: [1, 2, 3] }));
    };
    const first = await work();
    const before = rss();
    const released = releaseExecutablePages();
    const after = rss();
    const again = await work();
    console.log(JSON.stringify({ before, after, bytes: released.bytes, ranges: released.ranges, same: first === again ? 1 : 0 }));
  `);
  assert.equal(r.same, 1, "the same work gives the same results after");
  assert.ok(r.ranges >= 2, `${r.ranges} mappings: the executable's code and read-only data at least`);
  // Deno's own executable is over 100 MB; a process that ran this much has tens of MB of it resident.
  assert.ok(r.bytes > 20_000_000, `released ${r.bytes} bytes`);
  assert.ok(r.before - r.after > 20_000_000, `RSS ${r.before} → ${r.after}`);
});
