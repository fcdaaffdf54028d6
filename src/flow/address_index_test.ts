import assert from "node:assert/strict";
import { AddressIndex } from "./address_index.ts";

Deno.test("AddressIndex gives each distinct address one index, in the order first met, across growth and clear()", () => {
  const idx = new AddressIndex(16);
  const w = new Uint32Array(4);
  const seen = new Map<string, number>(); // the reference: a Map keyed by the address as text
  const next = (x: number) => (Math.imul(x, 1103515245) + 12345) >>> 0;
  for (let pass = 0; pass < 2; pass++) {
    idx.clear();
    seen.clear();
    let x = 7 + pass;
    for (let i = 0; i < 50_000; i++) {
      x = next(x);
      const v6 = x % 13 === 0;
      // few distinct values, so addresses repeat; IPv6 ones differ in their last words only
      w[0] = v6 ? 0x20010db8 : 0xc0a80000 | (x % 3001);
      w[1] = 0;
      w[2] = 0;
      w[3] = v6 ? (x >>> 8) % 499 : 0;
      const key = `${v6 ? 6 : 4}:${w.join(".")}`;
      let want = seen.get(key);
      if (want === undefined) seen.set(key, want = seen.size);
      assert.equal(idx.indexOf(v6 ? 6 : 4, w, 0), want);
    }
    assert.equal(idx.size, seen.size);
    for (const [key, i] of seen) {
      const [fam, words] = key.split(":");
      assert.equal(idx.family[i], Number(fam));
      assert.deepEqual([...idx.words.subarray(i * 4, i * 4 + 4)], words.split(".").map(Number));
    }
  }
});

Deno.test("AddressIndex tells an IPv4 address from the IPv6 address with the same first word", () => {
  const idx = new AddressIndex();
  const w = Uint32Array.of(0x0a000001, 0, 0, 0);
  assert.equal(idx.indexOf(4, w, 0), 0);
  assert.equal(idx.indexOf(6, w, 0), 1);
  assert.equal(idx.indexOf(4, w, 0), 0);
});
