import assert from "node:assert/strict";
import { FragmentPorts } from "./fragments.ts";

/** Address columns with one row at word offset `a` (the batch layout). */
function cols(src: number[], dst: number[], a = 0): { src: Uint32Array; dst: Uint32Array } {
  const s = new Uint32Array(a + 4), d = new Uint32Array(a + 4);
  s.set(src, a);
  d.set(dst, a);
  return { src: s, dst: d };
}

const V4 = cols([0x0a010101, 0, 0, 0], [0x0a020202, 0, 0, 0]); // 10.1.1.1 → 10.2.2.2
const V6 = cols([0x20010db8, 0, 0, 1], [0x20010db8, 0, 0, 2]); // 2001:db8::1 → 2001:db8::2

Deno.test("FragmentPorts.lookup() returns the ports remembered for the same train", () => {
  const f = new FragmentPorts();
  f.remember(V4.src, V4.dst, 0, 0x4242, 17, 4, 4444, 2222, 1000);
  assert.equal(f.lookup(V4.src, V4.dst, 0, 0x4242, 17, 4, 1001), (4444 << 16) | 2222);
});

Deno.test("FragmentPorts keeps port 65535 unsigned", () => {
  const f = new FragmentPorts();
  f.remember(V4.src, V4.dst, 0, 1, 6, 4, 65535, 65535, 0);
  const ports = f.lookup(V4.src, V4.dst, 0, 1, 6, 4, 0);
  assert.ok(ports >= 0, "found");
  assert.deepEqual([ports >>> 16, ports & 0xffff], [65535, 65535]);
});

Deno.test("FragmentPorts.lookup() returns -1 for another id, protocol, family, direction or address", () => {
  const f = new FragmentPorts();
  f.remember(V4.src, V4.dst, 0, 0x4242, 17, 4, 4444, 2222, 1000);
  assert.equal(f.lookup(V4.src, V4.dst, 0, 0x4243, 17, 4, 1000), -1, "id");
  assert.equal(f.lookup(V4.src, V4.dst, 0, 0x4242, 6, 4, 1000), -1, "protocol");
  assert.equal(f.lookup(V4.src, V4.dst, 0, 0x4242, 17, 6, 1000), -1, "family");
  assert.equal(f.lookup(V4.dst, V4.src, 0, 0x4242, 17, 4, 1000), -1, "reverse direction");
  const other = cols([0x0a010101, 0, 0, 0], [0x0a020203, 0, 0, 0]);
  assert.equal(f.lookup(other.src, other.dst, 0, 0x4242, 17, 4, 1000), -1, "destination");
});

Deno.test("FragmentPorts matches every word of an IPv6 address and a 32-bit id", () => {
  const f = new FragmentPorts();
  f.remember(V6.src, V6.dst, 0, 0xdeadbeef, 17, 6, 443, 12345, 0);
  assert.equal(f.lookup(V6.src, V6.dst, 0, 0xdeadbeef, 17, 6, 0), (443 << 16) | 12345);
  const middle = cols([0x20010db8, 0, 1, 1], [0x20010db8, 0, 0, 2]); // differs in word 2 only
  assert.equal(f.lookup(middle.src, middle.dst, 0, 0xdeadbeef, 17, 6, 0), -1);
});

Deno.test("FragmentPorts reads the row at word offset a", () => {
  const f = new FragmentPorts();
  const at8 = cols([0x0a010101, 0, 0, 0], [0x0a020202, 0, 0, 0], 8);
  f.remember(at8.src, at8.dst, 8, 7, 17, 4, 1, 2, 0);
  assert.equal(f.lookup(V4.src, V4.dst, 0, 7, 17, 4, 0), (1 << 16) | 2);
});

Deno.test("FragmentPorts forgets a train after 30 s either way in time", () => {
  const f = new FragmentPorts();
  f.remember(V4.src, V4.dst, 0, 9, 17, 4, 1, 2, 100_000);
  assert.equal(f.lookup(V4.src, V4.dst, 0, 9, 17, 4, 130_000), (1 << 16) | 2, "30 s later");
  assert.equal(f.lookup(V4.src, V4.dst, 0, 9, 17, 4, 130_001), -1, "just over 30 s later");
  assert.equal(f.lookup(V4.src, V4.dst, 0, 9, 17, 4, 69_999), -1, "over 30 s earlier (clock step)");
});

Deno.test("FragmentPorts stays bounded: a flood of trains overwrites, and the newest are found", () => {
  const f = new FragmentPorts();
  for (let id = 0; id < 100_000; id++) f.remember(V4.src, V4.dst, 0, id & 0xffff, 17, 4, id & 0xffff, 1, 0);
  // The latest train always wins its slot.
  assert.equal(f.lookup(V4.src, V4.dst, 0, 99_999 & 0xffff, 17, 4, 0), (((99_999 & 0xffff) << 16) | 1) >>> 0);
});
