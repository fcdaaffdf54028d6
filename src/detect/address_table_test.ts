import assert from "node:assert/strict";
import { AddressTable } from "./address_table.ts";
import { parseIp } from "../net/address.ts";
import { seededRng } from "../../tests/helpers/seeded_rng.ts";

function words(text: string): Uint32Array {
  return parseIp(text)!.words;
}

Deno.test("AddressTable gives one slot per address and tag, and the same slot again", () => {
  const t = new AddressTable(8, () => assert.fail("nothing is evicted"));
  const a = t.slotOf(4, words("10.0.0.5"), 0, 32, 0);
  assert.equal(t.fresh, true);
  assert.equal(t.slotOf(4, words("10.0.0.5"), 0, 32, 0), a);
  assert.equal(t.fresh, false);
  const received = t.slotOf(4, words("10.0.0.5"), 0, 32, 1);
  assert.notEqual(received, a, "the tag is part of the key");
  assert.notEqual(t.slotOf(6, words("2001:db8::5"), 0, 128, 0), a);
  assert.equal(t.size, 3);
  assert.deepEqual([t.family[a], t.tag[received], t.words[a * 4]], [4, 1, words("10.0.0.5")[0]]);
});

Deno.test("AddressTable masks an address to its prefix: a /24 and a /64 are one slot each", () => {
  const t = new AddressTable(8, () => {});
  const v4 = t.slotOf(4, words("192.0.2.77"), 0, 24, 0);
  assert.equal(t.slotOf(4, words("192.0.2.200"), 0, 24, 0), v4);
  assert.notEqual(t.slotOf(4, words("192.0.3.1"), 0, 24, 0), v4);
  assert.equal(t.words[v4 * 4], words("192.0.2.0")[0]);
  const v6 = t.slotOf(6, words("2001:db8:1:2::9"), 0, 64, 0);
  assert.equal(t.slotOf(6, words("2001:db8:1:2:ffff::1"), 0, 64, 0), v6);
  assert.notEqual(t.slotOf(6, words("2001:db8:1:3::9"), 0, 64, 0), v6);
  assert.deepEqual(Array.from(t.words.subarray(v6 * 4, v6 * 4 + 4)), Array.from(words("2001:db8:1:2::")));
});

Deno.test("AddressTable, when full, reuses a slot not referenced since the hand passed, telling its owner first", () => {
  const evicted: number[] = [];
  const t = new AddressTable(4, (slot) => evicted.push(slot));
  const slots = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"].map((ip) =>
    t.slotOf(4, words(ip), 0, 32, 0)
  );
  // The first pass of the hand clears every reference bit; then the first slot is the victim …
  const fifth = t.slotOf(4, words("10.0.0.5"), 0, 32, 0);
  assert.deepEqual(evicted, [slots[0]]);
  assert.equal(fifth, slots[0]);
  // … and an address looked up since keeps its slot while one that was not is taken.
  t.slotOf(4, words("10.0.0.2"), 0, 32, 0);
  t.slotOf(4, words("10.0.0.6"), 0, 32, 0);
  assert.deepEqual(evicted, [slots[0], slots[2]]);
  assert.equal(t.slotOf(4, words("10.0.0.2"), 0, 32, 0), slots[1]);
  assert.equal(t.fresh, false);
  assert.equal(t.size, 4);
  assert.equal(t.evicted, 2);
});

Deno.test("AddressTable agrees with a Map over 20,000 random lookups with evictions", () => {
  const rand = seededRng(7);
  const t = new AddressTable(500, (slot) => {
    for (const [k, v] of ref) if (v === slot) ref.delete(k);
  });
  const ref = new Map<string, number>();
  const w = new Uint32Array(4);
  for (let i = 0; i < 20_000; i++) {
    const v6 = rand() % 3 === 0;
    w[0] = v6 ? 0x20010db8 : 0x0a000000 | (rand() % 900);
    w[1] = v6 ? rand() % 4 : 0;
    w[2] = 0;
    w[3] = v6 ? rand() % 200 : 0;
    const tag = rand() % 2;
    const key = `${v6 ? 6 : 4}|${w.join(".")}|${tag}`;
    const slot = t.slotOf(v6 ? 6 : 4, w, 0, 128, tag);
    if (ref.has(key)) assert.equal(slot, ref.get(key), key);
    else assert.equal(t.fresh, true, key);
    ref.set(key, slot);
    assert.equal(t.size, ref.size);
  }
  assert.ok(t.evicted > 1000, `evictions exercised: ${t.evicted}`);
});

Deno.test("AddressTable.addressSlot() is slotOf() with the whole address: same slots, fresh flags and evictions", () => {
  const rand = seededRng(11);
  const evictedA: number[] = [], evictedB: number[] = [];
  const a = new AddressTable(300, (slot) => evictedA.push(slot));
  const b = new AddressTable(300, (slot) => evictedB.push(slot));
  const w = new Uint32Array(4);
  for (let i = 0; i < 20_000; i++) {
    const v6 = rand() % 3 === 0;
    w[0] = v6 ? 0x20010db8 : 0x0a000000 | (rand() % 2000);
    w[1] = v6 ? rand() % 4 : 0;
    w[2] = v6 ? rand() : 0;
    w[3] = v6 ? rand() % 300 : 0;
    const fam = v6 ? 6 : 4, tag = rand() % 2;
    if (rand() % 4 === 0) {
      // networks share the table (and its code) with whole addresses
      const prefix = v6 ? 64 : 24;
      assert.equal(a.slotOf(fam, w, 0, prefix, tag), b.slotOf(fam, w, 0, prefix, tag));
    } else assert.equal(a.addressSlot(fam, w, 0, tag), b.slotOf(fam, w, 0, 128, tag));
    assert.equal(a.fresh, b.fresh);
  }
  assert.deepEqual(evictedA, evictedB);
  assert.ok(a.evicted > 1000 && a.evicted === b.evicted, `evictions exercised: ${a.evicted}`);
  assert.deepEqual([a.family, a.tag, a.words], [b.family, b.tag, b.words]);
});
