import assert from "node:assert/strict";
import { baselineDocument, BaselineFileError, restoreBaselines } from "./baseline_file.ts";
import { BaselineKeeper } from "./baseline_keeper.ts";
import { HourOfDayBaselines } from "./hour_of_day.ts";
import { setLogSink } from "../base/log.ts";

function filled(keys: string[]): HourOfDayBaselines {
  const bank = new HourOfDayBaselines(16, 10, () => {});
  keys.forEach((key, k) => {
    const e = bank.create(key, 1_000 + k);
    for (let h = 0; h < 24; h++) {
      for (let i = 0; i < 3; i++) bank.learn(e, h, 10 + k + h / 100 + i / 7, 11, 1_000 + k);
    }
    bank.snapshot(e, 12.5 + k, 0.25, 400 + k, 12.75);
  });
  return bank;
}

Deno.test("baselines.json round-trips every subject's hours and recent baseline (to 4 decimals)", () => {
  const bank = filled(["f|10.0.0.1|192.0.2.9|40000|443|6", "h|s|10.0.0.1", "n|r|2001:db8::/64"]);
  const text = baselineDocument(bank, 10, Date.UTC(2026, 0, 5));
  const doc = JSON.parse(text);
  assert.deepEqual([doc.version, doc.interval_s, doc.saved_at], [1, 10, "2026-01-05T00:00:00.000Z"]);
  const back = new HourOfDayBaselines(16, 10, () => {});
  assert.deepEqual(restoreBaselines(text, back, 10), { restored: 3, skipped: 0 });
  for (const key of ["f|10.0.0.1|192.0.2.9|40000|443|6", "h|s|10.0.0.1", "n|r|2001:db8::/64"]) {
    const a = bank.find(key), b = back.find(key);
    assert.ok(b >= 0, key);
    for (let h = 0; h < 24; h++) {
      assert.ok(Math.abs(bank.mean(a, h) - back.mean(b, h)) < 1e-4, `${key} hour ${h}`);
      assert.equal(back.samples(b, h), 3);
    }
    assert.deepEqual(back.recent(b), bank.recent(a));
    assert.equal(back.lastMs(b), bank.lastMs(a));
  }
});

Deno.test("restoreBaselines() refuses what is not a baseline file and skips entries that do not parse", () => {
  const bank = new HourOfDayBaselines(16, 10, () => {});
  for (const bad of ["", "{", "[]", '{"version":2,"interval_s":10,"entries":[]}', '{"version":1}']) {
    assert.throws(() => restoreBaselines(bad, bank, 10), BaselineFileError, bad);
  }
  const good = JSON.parse(baselineDocument(filled(["h|s|10.0.0.1"]), 10, 0)).entries[0];
  const entries = [
    good,
    { ...good, key: "" },
    { ...good, key: "x".repeat(201) },
    { ...good, key: "n1", hours: { ...good.hours, mean: good.hours.mean.slice(1) } },
    { ...good, key: "n2", hours: { ...good.hours, n: good.hours.n.map(() => 70_000) } },
    { ...good, key: "n3", recent: { ...good.recent, mean: "12" } },
    null,
    42,
  ];
  const text = JSON.stringify({ version: 1, interval_s: 10, entries });
  assert.deepEqual(restoreBaselines(text, bank, 10), { restored: 1, skipped: 7 });
  assert.ok(bank.find("h|s|10.0.0.1") >= 0);
  // A pool smaller than the file takes the entries first in it: the most recently active.
  const small = new HourOfDayBaselines(2, 10, () => {});
  const three = baselineDocument(filled(["a", "b", "c"]), 10, 0);
  assert.deepEqual(JSON.parse(three).entries.map((e: { key: string }) => e.key), ["c", "b", "a"]);
  assert.deepEqual(restoreBaselines(three, small, 10), { restored: 2, skipped: 0 });
  assert.deepEqual([small.find("c") >= 0, small.find("b") >= 0, small.find("a")], [true, true, -1]);
});

Deno.test("restoreBaselines() does not load baselines learned at another interval length", () => {
  const text = baselineDocument(filled(["h|s|10.0.0.1"]), 10, 0);
  const bank = new HourOfDayBaselines(4, 60, () => {});
  assert.deepEqual(restoreBaselines(text, bank, 60), { restored: 0, skipped: 0, otherInterval: 10 });
  assert.equal(bank.size, 0);
});

Deno.test("BaselineKeeper saves at stop (mode 0600) and loads at start; a corrupt file is moved aside and reported", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fnan-baselines-" });
  const lines: string[] = [];
  setLogSink((line) => lines.push(line));
  try {
    const keeper = new BaselineKeeper({
      stateDir: dir,
      bank: filled(["h|s|10.0.0.1", "h|r|10.0.0.1"]),
      intervalS: 10,
    });
    await keeper.load(); // nothing there yet
    await keeper.stop();
    assert.equal((await Deno.stat(`${dir}/baselines.json`)).mode! & 0o777, 0o600);
    // A save killed mid-write by another process left its temporary file: removed at the next start.
    await Deno.writeTextFile(`${dir}/.baselines.json.999999.abc.tmp`, "half");
    const bank = new HourOfDayBaselines(16, 10, () => {});
    await new BaselineKeeper({ stateDir: dir, bank, intervalS: 10 }).load();
    assert.equal(bank.size, 2);
    assert.ok(
      lines.some((l) => l.includes('"baselines restored"') && l.includes('"subjects":2')),
      lines.join("\n"),
    );
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["baselines.json"]);
    // A corrupt file: moved aside byte for byte, an error line, and nothing loaded.
    await Deno.writeTextFile(`${dir}/baselines.json`, "{ not json");
    const fresh = new HourOfDayBaselines(16, 10, () => {});
    await new BaselineKeeper({ stateDir: dir, bank: fresh, intervalS: 10 }).load();
    assert.equal(fresh.size, 0);
    const aside = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) =>
      n.startsWith("baselines.json.corrupt-")
    );
    assert.equal(aside.length, 1);
    assert.equal(await Deno.readTextFile(`${dir}/${aside[0]}`), "{ not json");
    assert.ok(lines.some((l) => l.includes('"level":"error"') && l.includes("baselines file is unusable")));
  } finally {
    setLogSink(undefined);
    await Deno.remove(dir, { recursive: true });
  }
});
