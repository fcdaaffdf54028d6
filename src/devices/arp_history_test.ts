import assert from "node:assert/strict";
import { ArpHistory, ArpStateError } from "./arp_history.ts";

const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);
const S = 1000;

/** Written here, not borrowed from src/: "aa:bb:…" → number, "a.b.c.d" → uint32. */
function mac(text: string): number {
  return parseInt(text.replaceAll(":", ""), 16);
}
function ip(text: string): number {
  return text.split(".").reduce((w, o) => w * 256 + Number(o), 0);
}
function iso(ms: number): string {
  return new Date(ms).toISOString();
}

const A = "00:11:22:33:44:01", B = "00:11:22:33:44:02", C = "00:11:22:33:44:03";

Deno.test("ArpHistory.claim() keeps first and last sight per MAC and per address, shown by toJson()", () => {
  const h = new ArpHistory();
  h.claim(mac(A), ip("10.0.0.1"), T0);
  h.claim(mac(A), ip("10.0.0.1"), T0 + 5 * S);
  h.claim(mac(A), ip("10.0.0.2"), T0 + 9 * S);
  assert.deepEqual(h.toJson(A), {
    mac: A,
    first_seen: iso(T0),
    last_seen: iso(T0 + 9 * S),
    ips: [
      { ip: "10.0.0.2", first_seen: iso(T0 + 9 * S), last_seen: iso(T0 + 9 * S) },
      { ip: "10.0.0.1", first_seen: iso(T0), last_seen: iso(T0 + 5 * S) },
    ],
    ip_changes: [
      { ts: iso(T0), ip: "10.0.0.1", previous_ip: null, previous_mac: null },
      { ts: iso(T0 + 9 * S), ip: "10.0.0.2", previous_ip: "10.0.0.1", previous_mac: null },
    ],
    locally_administered: false,
    known: false,
    acknowledged: false,
  });
  assert.equal(h.toJson(B), null);
  assert.equal(h.toJson("not a mac"), null);
});

Deno.test("ArpHistory.refresh() moves the times of an unchanged claim on, and refuses anything that is news", () => {
  const h = new ArpHistory();
  assert.equal(h.refresh(mac(A), ip("10.0.0.1"), T0), false, "a MAC never seen");
  assert.equal(h.size, 0, "a refused refresh records nothing");
  h.claim(mac(A), ip("10.0.0.1"), T0);
  assert.equal(h.refresh(mac(A), ip("10.0.0.1"), T0 + 5 * S), true);
  assert.equal(h.toJson(A)!.last_seen, iso(T0 + 5 * S));
  assert.equal(h.toJson(A)!.ips[0].last_seen, iso(T0 + 5 * S));
  assert.equal(h.refresh(mac(A), ip("10.0.0.2"), T0 + 6 * S), false, "another address");
  h.claim(mac(B), ip("10.0.0.1"), T0 + 7 * S);
  assert.equal(h.refresh(mac(A), ip("10.0.0.1"), T0 + 8 * S), false, "B claimed it since");
  assert.equal(h.toJson(A)!.last_seen, iso(T0 + 5 * S));
  assert.equal(h.toJson(A)!.ip_changes.length, 1);
});

Deno.test("ArpHistory logs an address moving to another MAC with the MAC that had it, and ipClaims() lists both", () => {
  const h = new ArpHistory();
  h.claim(mac(A), ip("10.0.0.5"), T0);
  h.claim(mac(B), ip("10.0.0.5"), T0 + 600 * S);
  assert.deepEqual(h.toJson(B)!.ip_changes, [
    { ts: iso(T0 + 600 * S), ip: "10.0.0.5", previous_ip: null, previous_mac: A },
  ]);
  assert.deepEqual(h.ipClaims("10.0.0.5").map((c) => c.mac), [B, A]);
  assert.equal(h.ipRecord(ip("10.0.0.5"))!.lastMac, mac(B));
  assert.deepEqual(h.ipClaims("10.0.0.6"), []);
});

Deno.test("ArpHistory does not log switching between two addresses a MAC uses concurrently", () => {
  const h = new ArpHistory();
  for (let i = 0; i < 10; i++) h.claim(mac(A), ip(i % 2 ? "10.0.0.2" : "10.0.0.1"), T0 + i * S);
  assert.equal(h.toJson(A)!.ip_changes.length, 2);
});

Deno.test("ArpHistory evicts the least recently seen MAC when full and counts it", () => {
  const h = new ArpHistory({ maxMacs: 2 });
  h.claim(mac(A), ip("10.0.0.1"), T0);
  h.claim(mac(B), ip("10.0.0.2"), T0 + S);
  h.claim(mac(A), ip("10.0.0.1"), T0 + 120 * S); // A is now the more recent one
  h.claim(mac(C), ip("10.0.0.3"), T0 + 121 * S);
  assert.notEqual(h.toJson(A), null);
  assert.equal(h.toJson(B), null);
  assert.deepEqual(h.ipClaims("10.0.0.2"), [], "an evicted MAC's claims go with it");
  assert.equal(h.counters().evicted_macs, 1);
  assert.equal(h.size, 2);
});

Deno.test("ArpHistory bounds addresses per MAC, MACs per address, bindings overall and the change log", () => {
  const h = new ArpHistory({ maxIpsPerMac: 3, maxMacsPerIp: 2, maxBindings: 5, maxChanges: 4 });
  for (let i = 1; i <= 10; i++) h.claim(mac(A), ip(`10.0.0.${i}`), T0 + i * S);
  assert.deepEqual(h.toJson(A)!.ips.map((x) => x.ip), ["10.0.0.10", "10.0.0.9", "10.0.0.8"]);
  assert.equal(h.toJson(A)!.ip_changes.length, 4);
  assert.deepEqual(h.toJson(A)!.ip_changes.at(-1)!.ip, "10.0.0.10");
  for (let i = 1; i <= 5; i++) h.claim(mac(`00:11:22:33:55:0${i}`), ip("10.0.1.1"), T0 + 100 * S + i * S);
  assert.deepEqual(h.ipClaims("10.0.1.1").map((c) => c.mac), ["00:11:22:33:55:05", "00:11:22:33:55:04"]);
  assert.ok(h.counters().bindings <= 5);
});

Deno.test("ArpHistory.raise() is news once, stays quiet while the condition is seen, and is news again after quietMs", () => {
  const h = new ArpHistory();
  assert.equal(h.raise(1, mac(A), ip("10.0.0.1"), T0, 60 * S), true);
  assert.equal(h.raise(1, mac(A), ip("10.0.0.1"), T0 + 50 * S, 60 * S), false);
  assert.equal(h.raise(1, mac(A), ip("10.0.0.1"), T0 + 100 * S, 60 * S), false, "seen 50 s before");
  assert.equal(h.raise(2, mac(A), ip("10.0.0.1"), T0 + 100 * S, 60 * S), true, "another slot");
  assert.equal(h.raise(1, mac(A), ip("10.0.0.1"), T0 + 200 * S, 60 * S), true);
  h.pruneConditions(T0 + 1000 * S);
  assert.equal(h.raise(1, mac(A), ip("10.0.0.1"), T0 + 201 * S, 60 * S), true, "pruned");
});

Deno.test("ArpHistory.acknowledge() makes a seen MAC known and refuses one never seen", () => {
  const h = new ArpHistory();
  h.touch(mac(A), T0);
  assert.equal(h.acknowledge(mac(A)), true);
  assert.equal(h.acknowledge(mac(B)), false);
  assert.equal(h.isKnown(mac(A)), true);
  assert.equal(h.toJson(A)!.acknowledged, true);
});

Deno.test("ArpHistory.save() and load() give back the same history, known MACs, learning start and standing alerts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-arp-history-" });
  try {
    const path = `${dir}/arp-state.json`;
    const h = new ArpHistory({ path });
    h.learningStartMs = T0;
    h.claim(mac(A), ip("10.0.0.1"), T0);
    h.claim(mac(A), ip("10.0.0.2"), T0 + S);
    h.claim(mac(B), ip("10.0.0.1"), T0 + 900 * S);
    h.markKnown(mac(A));
    h.acknowledge(mac(B));
    h.raise(2, mac(B), ip("10.0.0.1"), T0 + 900 * S, 60 * S);
    assert.equal(h.dirty, true);
    await h.save();
    assert.equal(h.dirty, false);
    const g = await ArpHistory.load(path);
    assert.deepEqual(g.toJson(A), h.toJson(A));
    assert.deepEqual(g.toJson(B), h.toJson(B));
    assert.deepEqual(g.ipClaims("10.0.0.1"), h.ipClaims("10.0.0.1"));
    assert.equal(g.ipRecord(ip("10.0.0.1"))!.lastMac, mac(B));
    assert.equal(g.mac(mac(A))!.current!.ip, ip("10.0.0.2"));
    assert.equal(g.learningStartMs, T0);
    assert.equal(g.isKnown(mac(A)), true);
    assert.equal(g.dirty, false);
    assert.equal(g.raise(2, mac(B), ip("10.0.0.1"), T0 + 910 * S, 60 * S), false, "still standing");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ArpHistory.load() starts empty without a file and names the file when it is not a state file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-arp-history-" });
  try {
    const empty = await ArpHistory.load(`${dir}/arp-state.json`);
    assert.equal(empty.size, 0);
    assert.equal(empty.learningStartMs, null);
    await Deno.writeTextFile(`${dir}/bad.json`, "{not json");
    await assert.rejects(() => ArpHistory.load(`${dir}/bad.json`), (e: Error) => {
      assert.ok(e instanceof ArpStateError);
      assert.match(e.message, /bad\.json is not valid JSON/);
      return true;
    });
    await Deno.writeTextFile(`${dir}/other.json`, '{"version":99}');
    await assert.rejects(() => ArpHistory.load(`${dir}/other.json`), /other\.json is not a version 1/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ArpHistory.load() skips malformed entries instead of failing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-arp-history-" });
  try {
    const path = `${dir}/arp-state.json`;
    await Deno.writeTextFile(
      path,
      JSON.stringify({
        version: 1,
        learning_started_ms: "soon",
        known: ["zz", A, 7],
        macs: [
          null,
          { mac: "garbage" },
          {
            mac: B,
            first: T0,
            last: T0,
            ips: [{ ip: "300.1.1.1", first: 1, last: 2 }, { ip: "10.0.0.9", first: T0, last: T0 }],
          },
        ],
        conditions: [{ slot: 1 }],
      }),
    );
    const h = await ArpHistory.load(path);
    assert.equal(h.size, 1);
    assert.deepEqual(h.toJson(B)!.ips.map((x) => x.ip), ["10.0.0.9"]);
    assert.equal(h.isKnown(mac(A)), true);
    assert.equal(h.learningStartMs, null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("save() of more MACs than one slice of the file holds reads back every MAC as it was", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-arp-history-" });
  try {
    const path = `${dir}/arp-state.json`;
    const h = new ArpHistory({ path });
    const macs: string[] = [];
    for (let i = 0; i < 2500; i++) {
      const m = `02:00:00:00:${(i >> 8).toString(16).padStart(2, "0")}:${
        (i & 255).toString(16).padStart(2, "0")
      }`;
      macs.push(m);
      h.claim(mac(m), ip(`10.1.${i >> 8}.${i & 255}`), T0 + i);
      if (i % 3 === 0) h.claim(mac(m), ip(`10.2.${i >> 8}.${i & 255}`), T0 + 5000 + i);
      if (i % 7 === 0) h.markKnown(mac(m));
    }
    await h.save();
    const doc = JSON.parse(await Deno.readTextFile(path));
    assert.equal(doc.macs.length, 2500);
    assert.equal(doc.known.length, Math.ceil(2500 / 7));
    const g = await ArpHistory.load(path);
    for (const m of macs) assert.deepEqual(g.toJson(m), h.toJson(m), m);
    assert.equal(g.counters().known, h.counters().known);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
