import assert from "node:assert/strict";
import { ArpBindings } from "./arp_bindings.ts";

const T0 = Date.UTC(2024, 0, 1);
const MINUTE = 60_000;
const A = 0xa, B = 0xb, C = 0xc, D = 0xd, E = 0xe;

Deno.test("snapshot() reads each MAC when reached: changes show, an evicted one is left out, a moved one comes once", () => {
  const b = new ArpBindings({ maxMacs: 4, maxIpsPerMac: 8, maxMacsPerIp: 8, maxBindings: 64, maxChanges: 8 });
  for (const [i, mac] of [A, B, C, D].entries()) b.claim(mac, 0x0a000001 + i, T0 + i);
  const saving = b.snapshot();
  assert.equal(saving.next().value?.mac, A);
  // Between two slices of a save: A is seen again (it moves to the end of the order), E arrives and takes
  // the place of the least recently seen (B), and C claims a second address.
  b.touch(A, T0 + 2 * MINUTE);
  b.claim(E, 0x0a0000ff, T0 + 2 * MINUTE);
  b.claim(C, 0x0a000099, T0 + 2 * MINUTE);
  assert.equal(b.mac(B), undefined, "B was evicted");
  const rest = [...saving];
  assert.deepEqual(rest.map((m) => m.mac), [C, D], "B is gone, A not again, E came after the start");
  assert.deepEqual(rest[0].ips.map((x) => x.ip), [0x0a000003, 0x0a000099]);
  assert.equal(rest[0].current, 0x0a000099);
  // The next save has them all, least recently seen first: A, E and C were seen (again) in the same minute,
  // in that order.
  assert.deepEqual([...b.snapshot()].map((m) => m.mac), [D, A, E, C]);
});
