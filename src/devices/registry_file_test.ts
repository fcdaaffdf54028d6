import assert from "node:assert/strict";
import type { InterfaceJson } from "../events/mod.ts";
import { loadRegistryFile, saveRegistryFile } from "./registry_file.ts";
import { sampleDevice } from "../../tests/helpers/sample_devices.ts";

const ETH0: InterfaceJson = {
  index: 1,
  name: "Gi0/1",
  alias: "uplink",
  type: "ethernetCsmacd",
  speed_bps: 1e9,
  oper_status: "up",
  admin_status: "up",
  in_util_pct: 12.5,
  out_util_pct: 3,
  in_bps: 15625000,
  out_bps: 3750000,
  in_errors_per_s: 0,
  out_errors_per_s: 0,
  in_discards_per_s: 0.1,
  counters: "hc64",
};

const FULL = sampleDevice({
  ip: "192.0.2.1",
  mac: "00:00:0c:01:02:03",
  name: "gw",
  type: "router",
  type_rule: "sysservices-layer3",
  vendor: "Cisco",
  model: "ISR4331",
  os_version: "17.3.4a",
  sys_descr: "Cisco IOS XE Software",
  sys_object_id: "1.3.6.1.4.1.9.1.1861",
  uptime_s: 12345.67,
  snmp: { status: "ok", last_success: "2026-01-02T00:00:00.000Z", last_error: null, poll_ms: 40 },
  interfaces: [ETH0],
  cpu_pct: 7,
  memory_pct: 41.5,
  sources: ["arp_sweep", "snmp"],
});

async function tempPath(): Promise<{ dir: string; path: string }> {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-registry-file-" });
  return { dir, path: `${dir}/devices.json` };
}

Deno.test("saveRegistryFile() then loadRegistryFile() gives back the same devices", async () => {
  const { dir, path } = await tempPath();
  try {
    const v6 = sampleDevice({ ip: "2001:db8::7" });
    await saveRegistryFile(path, [FULL, v6], Date.UTC(2026, 0, 3));
    const doc = JSON.parse(await Deno.readTextFile(path));
    assert.equal(doc.schema, 1);
    assert.equal(doc.saved_at, "2026-01-03T00:00:00.000Z");
    assert.equal(((await Deno.stat(path)).mode ?? 0) & 0o777, 0o600);
    const loaded = await loadRegistryFile(path);
    assert.deepEqual(loaded, { devices: [FULL, v6], skipped: 0, beyondMax: 0, staleTempFiles: 0 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("saveRegistryFile() leaves out null members, empty lists and a bare not-polled SNMP status", async () => {
  const { dir, path } = await tempPath();
  try {
    const host = sampleDevice({ ip: "192.0.2.9", mac: "02:00:00:00:00:09", sources: ["arp_sweep"] });
    const down = { ...ETH0, index: 2, in_util_pct: null, in_bps: null, counters: null };
    const sw = { ...FULL, ip: "192.0.2.2", interfaces: [ETH0, down] };
    await saveRegistryFile(path, [host, sw], Date.UTC(2026, 0, 3));
    const text = await Deno.readTextFile(path);
    const doc = JSON.parse(text);
    assert.ok(!text.includes("null"), text);
    assert.deepEqual(Object.keys(doc.devices[0]).sort(), [
      "first_seen",
      "ip",
      "last_seen",
      "mac",
      "sources",
      "type",
    ]);
    assert.deepEqual(doc.devices[1].snmp, {
      status: "ok",
      last_success: "2026-01-02T00:00:00.000Z",
      poll_ms: 40,
    });
    assert.deepEqual(
      Object.keys(doc.devices[1].interfaces[1]).sort(),
      Object.keys(ETH0).filter((k) => !["in_util_pct", "in_bps", "counters"].includes(k)).sort(),
    );
    const loaded = await loadRegistryFile(path);
    assert.deepEqual(loaded.devices, [host, sw], "read back as they were");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadRegistryFile() reads the first max good devices and counts the rest without checking them", async () => {
  const { dir, path } = await tempPath();
  try {
    const devices = [1, 2, 3, 4, 5].map((i) => ({ ...FULL, ip: `198.51.100.${i}` }));
    const bad = { ip: "not an address" };
    await Deno.writeTextFile(
      path,
      JSON.stringify({ schema: 1, devices: [devices[0], bad, ...devices.slice(1)] }),
    );
    const r = await loadRegistryFile(path, Date.now, 3);
    assert.deepEqual(r.devices.map((d) => d.ip), ["198.51.100.1", "198.51.100.2", "198.51.100.3"]);
    assert.equal(r.skipped, 1, "a bad device before the bound is still reported");
    assert.equal(r.beyondMax, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("saveRegistryFile() writes a device a line, and files in one line read the same", async () => {
  const { dir, path } = await tempPath();
  try {
    const devices = [
      FULL,
      ...[2, 3, 4].map((i) => sampleDevice({ ip: `198.51.100.${i}`, name: `h${i}\nx` })),
    ];
    await saveRegistryFile(path, devices, Date.UTC(2026, 0, 3));
    const text = await Deno.readTextFile(path);
    assert.equal(text.split("\n").length, devices.length + 3, "the head line, a line a device, ]}, the end");
    const lined = await loadRegistryFile(path);
    // The same document on one line, as earlier versions wrote it: read whole, the same registry.
    await Deno.writeTextFile(path, JSON.stringify(JSON.parse(text)) + "\n");
    assert.deepEqual(await loadRegistryFile(path), lined);
    assert.deepEqual(lined.devices, devices);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadRegistryFile() of a device-a-line file: a broken line moves it aside, one past the bound does not", async () => {
  const { dir, path } = await tempPath();
  try {
    const devices = [1, 2, 3, 4].map((i) => ({ ...FULL, ip: `198.51.100.${i}` }));
    await saveRegistryFile(path, devices, Date.UTC(2026, 0, 3));
    const good = await Deno.readTextFile(path);
    // The last device's line cut short: past a bound of 3 it is never parsed, so the three are kept.
    const cut = good.replace(/\n\{"ip":"198\.51\.100\.4"[^\n]*\n/, '\n{"ip":"198.51.100.4","ty\n');
    assert.notEqual(cut, good);
    await Deno.writeTextFile(path, cut);
    const bounded = await loadRegistryFile(path, Date.now, 3);
    assert.deepEqual(bounded.devices.map((d) => d.ip), ["198.51.100.1", "198.51.100.2", "198.51.100.3"]);
    assert.equal(bounded.beyondMax, 1);
    assert.equal(bounded.movedAside, undefined);
    // Without the bound it is read, and the file is not JSON: moved aside as before, with JSON.parse's reason.
    const whole = await loadRegistryFile(path, () => Date.UTC(2026, 4, 6));
    assert.deepEqual(whole.devices, []);
    assert.match(whole.problem!, /not valid JSON \(/);
    assert.equal(await Deno.readTextFile(whole.movedAside!), cut);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadRegistryFile() keeps a U+FFFD the file really holds (the fast decoder's mark for a bad byte)", async () => {
  const { dir, path } = await tempPath();
  try {
    await Deno.writeTextFile(path, JSON.stringify({ schema: 1, devices: [{ ...FULL, name: "gw \uFFFD" }] }));
    const r = await loadRegistryFile(path);
    assert.equal(r.movedAside, undefined);
    assert.equal(r.devices[0].name, "gw \uFFFD");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadRegistryFile() of a missing file is an empty registry, nothing moved", async () => {
  const { dir, path } = await tempPath();
  try {
    assert.deepEqual(await loadRegistryFile(path), {
      devices: [],
      skipped: 0,
      beyondMax: 0,
      staleTempFiles: 0,
    });
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadRegistryFile() moves a corrupt or unknown-schema file aside and reports it", async () => {
  const cases: [string, string | Uint8Array, RegExp][] = [
    [
      "truncated JSON",
      '{"schema":1,"saved_at":"2026-01-01T00:00:00Z","devices":[{"ip":"192.0',
      /not valid JSON/,
    ],
    ["not UTF-8", new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), /not UTF-8/],
    ["an array", "[]", /not a JSON object/],
    ["schema 2", '{"schema":2,"devices":[]}', /schema 2 is not 1/],
    ["no schema", '{"devices":[]}', /schema missing is not 1/],
    ["devices not a list", '{"schema":1,"devices":{}}', /"devices" is not an array/],
    ["empty file", "", /not valid JSON/],
  ];
  for (const [what, content, why] of cases) {
    const { dir, path } = await tempPath();
    try {
      if (typeof content === "string") await Deno.writeTextFile(path, content);
      else await Deno.writeFile(path, content);
      const original = await Deno.readFile(path);
      const at = Date.UTC(2026, 4, 6, 7, 8, 9, 123);
      const r = await loadRegistryFile(path, () => at);
      assert.deepEqual(r.devices, [], what);
      assert.equal(r.movedAside, `${path}.corrupt-20260506T070809123Z`, what);
      assert.match(r.problem!, why, what);
      assert.ok(r.problem!.includes(r.movedAside!), what);
      // Moved, not copied or rewritten: the bytes are kept for a person to look at.
      assert.deepEqual(await Deno.readFile(r.movedAside!), original, what);
      await assert.rejects(Deno.stat(path), Deno.errors.NotFound);
      // A second corrupt file in the same millisecond does not overwrite the first.
      await Deno.writeTextFile(path, "garbage");
      const again = await loadRegistryFile(path, () => at);
      assert.equal(again.movedAside, `${path}.corrupt-20260506T070809123Z-1`, what);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});

Deno.test("loadRegistryFile() skips and counts devices with a bad field, keeping the rest", async () => {
  const { dir, path } = await tempPath();
  try {
    const good2 = sampleDevice({ ip: "192.0.2.2" });
    const devices: unknown[] = [
      FULL,
      { ...good2, ip: "192.0.2.300" },
      { ...good2, type: "toaster" },
      { ...good2, mac: "not-a-mac" },
      { ...good2, snmp: { ...good2.snmp, status: "fine" } },
      { ...good2, interfaces: [{ ...ETH0, oper_status: "sideways" }] },
      { ...good2, last_seen: "yesterday" },
      { ...good2, cpu_pct: "high" },
      "not an object",
      good2,
      { ...FULL, name: "a second 192.0.2.1" },
    ];
    await Deno.writeTextFile(path, JSON.stringify({ schema: 1, saved_at: "2026-01-01T00:00:00Z", devices }));
    const r = await loadRegistryFile(path);
    assert.deepEqual(r.devices, [FULL, good2]);
    assert.equal(r.skipped, 9);
    assert.equal(r.movedAside, undefined);
    assert.match(r.problem!, /skipped 9 of 11 devices/);
    assert.match(r.problem!, /device 1: ip "192\.0\.2\.300" is not an IP address/);
    assert.ok(await Deno.stat(path), "a file with some bad devices stays where it is");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadRegistryFile() fills absent nullable fields and writes addresses and MACs canonically", async () => {
  const { dir, path } = await tempPath();
  try {
    const sparse = {
      ip: "2001:DB8:0:0::1",
      mac: "00-1A-2B-3C-4D-5E",
      type: "server",
      first_seen: "2026-01-01T00:00:00Z",
      last_seen: "2026-01-01T00:00:00Z",
    };
    await Deno.writeTextFile(path, JSON.stringify({ schema: 1, devices: [sparse] }));
    const r = await loadRegistryFile(path);
    assert.equal(r.skipped, 0);
    assert.deepEqual(r.devices, [
      sampleDevice({
        ip: "2001:db8::1",
        mac: "00:1a:2b:3c:4d:5e",
        type: "server",
        sources: [],
        first_seen: "2026-01-01T00:00:00Z",
        last_seen: "2026-01-01T00:00:00Z",
      }),
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadRegistryFile() removes temp files of saves another process did not finish", async () => {
  const { dir, path } = await tempPath();
  try {
    await saveRegistryFile(path, [FULL], Date.now());
    await Deno.writeTextFile(`${dir}/.devices.json.999999999.abc.tmp`, '{"schema":1,"dev');
    await Deno.writeTextFile(`${dir}/.devices.json.${Deno.pid}.own.tmp`, "in flight");
    await Deno.writeTextFile(`${dir}/.other.json.1.x.tmp`, "not ours");
    const r = await loadRegistryFile(path);
    assert.equal(r.staleTempFiles, 1);
    assert.deepEqual(r.devices, [FULL]);
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(names, [`.devices.json.${Deno.pid}.own.tmp`, ".other.json.1.x.tmp", "devices.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadRegistryFile() throws, moving nothing, when the file exists but cannot be read", async () => {
  const { dir, path } = await tempPath();
  try {
    await Deno.mkdir(path); // a directory where the file should be
    await assert.rejects(loadRegistryFile(path));
    assert.ok((await Deno.stat(path)).isDirectory);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
