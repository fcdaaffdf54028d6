import assert from "node:assert/strict";
import type { SweepProgress } from "../events/mod.ts";
import {
  type ArpSweepFn,
  DiscoverySweeper,
  type DiscoverySweeperOptions,
  type FoundHost,
  type SweepPhase,
} from "./sweeper.ts";
import type { SystemInfo } from "../snmp/snmp_types.ts";

function system(name: string): SystemInfo {
  return {
    sysDescr: `desc ${name}`,
    sysObjectId: "1.3.6.1.4.1.8072.3.2.10",
    sysName: name,
    sysServices: 72,
    sysUpTimeCs: 1,
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A sweeper with recording callbacks; `answer` says which addresses answer SNMP. */
function harness(opts: Partial<DiscoverySweeperOptions> & { answer?: (ip: string) => boolean } = {}) {
  const probed: string[] = [];
  const found: FoundHost[] = [];
  const reports: { p: SweepProgress; phase: SweepPhase }[] = [];
  const answer = opts.answer ?? (() => false);
  const sweeper = new DiscoverySweeper({
    concurrency: 4,
    snmpProbe: async (ip) => {
      probed.push(ip);
      await tick();
      return answer(ip) ? system(`host-${ip}`) : undefined;
    },
    onProgress: (p, phase) => reports.push({ p, phase }),
    onFound: (f) => found.push(f),
    ...opts,
  });
  return { sweeper, probed, found, reports };
}

Deno.test("DiscoverySweeper never has more probes in flight than its concurrency, and uses all of it", async () => {
  let inFlight = 0, peak = 0;
  const sweeper = new DiscoverySweeper({
    concurrency: 8,
    snmpProbe: async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight--;
      return undefined;
    },
    onProgress: () => {},
    onFound: () => {},
  });
  const final = await sweeper.sweep({
    cidrs: ["10.9.0.0/24"],
    interfaces: [],
    extraHosts: [],
    trigger: "api",
  });
  assert.equal(peak, 8);
  assert.equal(final.scanned, 254);
});

Deno.test("sweep() probes every host once and reports each that answers SNMP once, with final counts", async () => {
  const answering = new Set(["10.9.1.5", "10.9.1.9", "10.9.1.30"]);
  const h = harness({ answer: (ip) => answering.has(ip) });
  const final = await h.sweeper.sweep({
    cidrs: ["10.9.1.0/27"],
    interfaces: [],
    extraHosts: [],
    trigger: "start",
  });
  assert.equal(h.probed.length, 30);
  assert.equal(new Set(h.probed).size, 30);
  assert.deepEqual(h.found.map((f) => f.ip).sort(), [...answering].sort());
  for (const f of h.found) {
    assert.equal(f.via, "snmp");
    assert.equal(f.mac, null);
    assert.equal(f.system?.sysName, `host-${f.ip}`);
  }
  assert.deepEqual(
    {
      scanned: final.scanned,
      total: final.total,
      found: final.found,
      snmp: final.snmp,
      trigger: final.trigger,
    },
    { scanned: 30, total: 30, found: 3, snmp: 3, trigger: "start" },
  );
  assert.deepEqual(h.reports.at(-1), { p: final, phase: "finished" });
  assert.equal(h.reports[0].phase, "started");
  assert.equal(h.reports[0].p.scanned, 0);
  assert.equal(h.reports[0].p.total, 30);
});

Deno.test("sweep() deduplicates hosts already seen against the networks and each other, dropping junk", async () => {
  const h = harness();
  const final = await h.sweeper.sweep({
    cidrs: ["10.9.2.0/30"],
    interfaces: [],
    extraHosts: ["10.9.2.1", "10.9.2.77", "10.9.2.77", "not-an-ip", "2001:DB8::1", "2001:db8:0::1"],
    trigger: "api",
  });
  assert.deepEqual(h.probed.sort(), ["10.9.2.1", "10.9.2.2", "10.9.2.77", "2001:db8::1"]);
  assert.equal(final.total, 4);
});

Deno.test("sweep() takes at most maxExtraHosts hosts already seen", async () => {
  const h = harness({ maxExtraHosts: 3 });
  const extra = Array.from({ length: 10 }, (_, i) => `192.0.2.${i + 1}`);
  const final = await h.sweeper.sweep({ cidrs: [], interfaces: [], extraHosts: extra, trigger: "api" });
  assert.equal(final.total, 3);
  assert.deepEqual(h.probed.sort(), ["192.0.2.1", "192.0.2.2", "192.0.2.3"]);
});

Deno.test("a host answering ARP but not SNMP is found with system null; one answering both carries its MAC", async () => {
  const calls: { iface: string; targets: string[] }[] = [];
  const arpSweep: ArpSweepFn = (iface, targets) => {
    calls.push({ iface, targets: [...targets] });
    return Promise.resolve(
      iface === "eth0"
        ? new Map([["10.9.3.2", "02:00:00:00:00:02"], ["10.9.3.3", "02:00:00:00:00:03"]])
        : new Map([["10.9.3.3", "02:00:00:00:00:99"]]),
    );
  };
  const unanswered: string[] = [];
  const h = harness({
    arpSweep,
    answer: (ip) => ip === "10.9.3.3" || ip === "10.9.3.5",
    onUnanswered: (ip) => unanswered.push(ip),
  });
  const final = await h.sweeper.sweep({
    cidrs: ["10.9.3.0/29"],
    interfaces: ["eth0", "eth1"],
    extraHosts: ["2001:db8::7"],
    trigger: "interval",
  });
  // ARP is asked for IPv4 addresses only, on every interface, before any probe.
  assert.deepEqual(calls.map((c) => c.iface), ["eth0", "eth1"]);
  assert.deepEqual(calls[0].targets, [
    "10.9.3.1",
    "10.9.3.2",
    "10.9.3.3",
    "10.9.3.4",
    "10.9.3.5",
    "10.9.3.6",
  ]);
  const byIp = new Map(h.found.map((f) => [f.ip, f]));
  assert.deepEqual(byIp.get("10.9.3.2"), {
    ip: "10.9.3.2",
    mac: "02:00:00:00:00:02",
    system: null,
    via: "arp_sweep",
  });
  assert.equal(byIp.get("10.9.3.3")?.via, "snmp");
  assert.equal(byIp.get("10.9.3.3")?.mac, "02:00:00:00:00:03"); // the first interface's answer wins
  assert.equal(byIp.get("10.9.3.5")?.mac, null);
  assert.equal(h.found.length, 3);
  assert.deepEqual([final.found, final.snmp, final.total], [3, 2, 7]);
  // Every other address asked answered nothing, and is told once.
  assert.deepEqual(unanswered.sort(), ["10.9.3.1", "10.9.3.4", "10.9.3.6", "2001:db8::7"]);
});

Deno.test("an ARP sweep failing on one interface leaves the others and SNMP going", async () => {
  const arpSweep: ArpSweepFn = (iface) =>
    iface === "bad0"
      ? Promise.reject(new Error("ENODEV"))
      : Promise.resolve(new Map([["10.9.4.1", "02:00:00:00:04:01"]]));
  const h = harness({ arpSweep });
  const final = await h.sweeper.sweep({
    cidrs: ["10.9.4.0/30"],
    interfaces: ["bad0", "eth0"],
    extraHosts: [],
    trigger: "api",
  });
  assert.deepEqual(h.found.map((f) => [f.ip, f.via]), [["10.9.4.1", "arp_sweep"]]);
  assert.equal(final.scanned, 2);
});

Deno.test("progress is reported at the start, at most every 500 ms on the way, and at the end", async () => {
  let clock = 1_700_000_000_000;
  const h = harness({
    concurrency: 1,
    now: () => clock,
    snmpProbe: async () => {
      await tick();
      clock += 100; // every probe takes 100 ms of the fake clock
      return undefined;
    },
  });
  const final = await h.sweeper.sweep({
    cidrs: ["10.9.5.0/27"],
    interfaces: [],
    extraHosts: [],
    trigger: "api",
  });
  assert.deepEqual(h.reports.map((r) => [r.phase, r.p.scanned]), [
    ["started", 0],
    ["progress", 5],
    ["progress", 10],
    ["progress", 15],
    ["progress", 20],
    ["progress", 25],
    ["finished", 30],
  ]);
  assert.equal(final.elapsed_s, 3);
  assert.equal(final.started_at, new Date(1_700_000_000_000).toISOString());
  assert.equal(h.reports[3].p.elapsed_s, 1.5);
});

Deno.test("a second request while a sweep runs joins it and says it was already running", async () => {
  const h = harness();
  const first = h.sweeper.start({ cidrs: ["10.9.6.0/28"], interfaces: [], extraHosts: [], trigger: "start" });
  const second = h.sweeper.start({ cidrs: ["10.9.7.0/24"], interfaces: [], extraHosts: [], trigger: "api" });
  assert.equal(first.alreadyRunning, false);
  assert.equal(second.alreadyRunning, true);
  assert.equal(second.done, first.done);
  assert.equal(second.progress.id, first.progress.id);
  assert.ok(h.sweeper.running);
  const final = await second.done;
  assert.equal(final.total, 14);
  assert.ok(h.probed.every((ip) => ip.startsWith("10.9.6.")));
  assert.equal(h.sweeper.running, false);
  assert.equal(h.sweeper.current, null);
  const third = h.sweeper.start({ cidrs: ["10.9.7.0/30"], interfaces: [], extraHosts: [], trigger: "api" });
  assert.equal(third.alreadyRunning, false);
  assert.equal(third.progress.id, first.progress.id + 1);
  await third.done;
});

Deno.test("cancel() starts no new probe, lets those in flight finish, and ends with scanned < total", async () => {
  const gates: (() => void)[] = [];
  const started: string[] = [];
  const h = harness({
    concurrency: 2,
    snmpProbe: (ip) => {
      started.push(ip);
      return new Promise((resolve) => gates.push(() => resolve(system(ip))));
    },
  });
  const run = h.sweeper.start({ cidrs: ["10.9.8.0/24"], interfaces: [], extraHosts: [], trigger: "api" });
  while (gates.length < 2) await tick();
  const cancelled = h.sweeper.cancel();
  assert.equal(cancelled, run.done);
  for (const open of gates) open();
  const final = await run.done;
  assert.deepEqual(started, ["10.9.8.1", "10.9.8.2"]);
  assert.deepEqual([final.scanned, final.total, final.found], [2, 254, 2]);
  assert.equal(h.reports.at(-1)?.phase, "finished");
  assert.equal(h.sweeper.running, false);
  assert.equal(h.sweeper.cancel(), undefined);
});

Deno.test("cancel() during the ARP phase aborts the ARP sweep and probes nothing", async () => {
  let seen: AbortSignal | undefined;
  const arpSweep: ArpSweepFn = (_iface, _targets, signal) =>
    new Promise((_resolve, reject) => {
      seen = signal;
      signal?.addEventListener("abort", () => reject(signal.reason));
    });
  const h = harness({ arpSweep });
  const run = h.sweeper.start({
    cidrs: ["10.9.9.0/29"],
    interfaces: ["eth0", "eth1"],
    extraHosts: [],
    trigger: "api",
  });
  await tick();
  h.sweeper.cancel();
  const final = await run.done;
  assert.ok(seen?.aborted);
  assert.deepEqual(h.probed, []);
  assert.equal(final.scanned, 0);
});

Deno.test("sweep() refuses a network too large to sweep and starts nothing; IPv6 networks are not enumerated", async () => {
  const h = harness();
  await assert.rejects(
    h.sweeper.sweep({ cidrs: ["10.0.0.0/8"], interfaces: [], extraHosts: [], trigger: "api" }),
    (e: unknown) => e instanceof RangeError && e.message.includes("10.0.0.0/8"),
  );
  await assert.rejects(
    h.sweeper.sweep({ cidrs: ["10.0.0.0/33"], interfaces: [], extraHosts: [], trigger: "api" }),
    RangeError,
  );
  assert.equal(h.sweeper.running, false);
  assert.deepEqual(h.reports, []);
  const final = await h.sweeper.sweep({
    cidrs: ["2001:db8::/64"],
    interfaces: [],
    extraHosts: ["2001:db8::5", "2001:db9::5"],
    trigger: "api",
  });
  assert.deepEqual(h.probed.sort(), ["2001:db8::5", "2001:db9::5"]);
  assert.equal(final.total, 2);
  assert.equal(final.id, 1); // the refused requests never became sweeps
});

Deno.test("a probe that rejects counts as no answer and a throwing onFound does not stop the sweep", async () => {
  let calls = 0;
  const sweeper = new DiscoverySweeper({
    concurrency: 3,
    snmpProbe: (ip) => ip.endsWith(".1") ? Promise.reject(new Error("garbage")) : Promise.resolve(system(ip)),
    onProgress: () => {},
    onFound: () => {
      calls++;
      throw new Error("handler bug");
    },
  });
  const final = await sweeper.sweep({
    cidrs: ["10.9.10.0/29"],
    interfaces: [],
    extraHosts: [],
    trigger: "api",
  });
  assert.deepEqual([final.scanned, final.found, final.snmp, calls], [6, 5, 5, 5]);
});

Deno.test("DiscoverySweeper refuses a concurrency that is not a whole number from 1 to 10000", () => {
  for (const concurrency of [0, -1, 1.5, NaN, 10_001]) {
    assert.throws(
      () =>
        new DiscoverySweeper({
          concurrency,
          snmpProbe: () => Promise.resolve(undefined),
          onProgress() {},
          onFound() {},
        }),
      RangeError,
    );
  }
});
