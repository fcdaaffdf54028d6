import assert from "node:assert/strict";
import { probeOrder } from "./probe_order.ts";

/** The comparator sort ProbeLog.close() used before, as the reference. */
function comparatorOrder(
  n: number,
  fam: Uint8Array,
  src: Uint32Array,
  dst: Uint32Array,
  proto: Uint8Array,
  port: Uint16Array,
): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const cmpWords = (w: Uint32Array, x: number, y: number) => {
    const a = x << 2, b = y << 2;
    for (let i = 0; i < 4; i++) if (w[a + i] !== w[b + i]) return w[a + i] < w[b + i] ? -1 : 1;
    return 0;
  };
  return order.sort((x, y) =>
    fam[x] - fam[y] || cmpWords(src, x, y) || cmpWords(dst, x, y) || proto[x] - proto[y] || port[x] - port[y]
  );
}

Deno.test("probeOrder() orders probes exactly as the comparator sort did, duplicates in logged order", () => {
  let x = 12345;
  const rnd = (m: number) => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) % m;
  for (const n of [0, 1, 2, 7, 5_000, 10_000]) { // 8-bit digits below 8,192 rows, 16-bit ones above
    const fam = new Uint8Array(n), src = new Uint32Array(n * 4), dst = new Uint32Array(n * 4);
    const proto = new Uint8Array(n), port = new Uint16Array(n);
    for (let r = 0; r < n; r++) {
      const v6 = rnd(5) === 0;
      fam[r] = v6 ? 6 : 4;
      // few distinct values per column, high bits included, so ties and near-ties are common
      src[r * 4] = [0x0a000001, 0xc0a80001, 0xc0a80102, 0xfffffffe][rnd(4)];
      dst[r * 4] = [0x0a000002, 0x80000000, 0xc0a80001][rnd(3)] + rnd(3);
      if (v6) {
        for (let w = 1; w < 4; w++) {
          src[r * 4 + w] = rnd(2) * 0x9000_0000;
          dst[r * 4 + w] = rnd(3) * 0x10001;
        }
      }
      proto[r] = [0, 1, 6, 17, 58][rnd(5)];
      port[r] = [0, 22, 53, 443, 65535][rnd(5)];
    }
    assert.deepEqual(
      [...probeOrder(n, fam, src, dst, proto, port)],
      [...comparatorOrder(n, fam, src, dst, proto, port)],
      `n = ${n}`,
    );
  }
});

Deno.test("probeOrder() of some rows orders those rows as the comparator sort orders them", () => {
  let x = 777;
  const rnd = (m: number) => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) % m;
  const n = 3_000;
  const fam = new Uint8Array(n), src = new Uint32Array(n * 4), dst = new Uint32Array(n * 4);
  const proto = new Uint8Array(n), port = new Uint16Array(n);
  for (let r = 0; r < n; r++) {
    fam[r] = rnd(4) === 0 ? 6 : 4;
    src[r * 4] = [0x0a000001, 0xc0a80001, 0xfffffffe][rnd(3)];
    src[r * 4 + 3] = fam[r] === 6 ? rnd(2) : 0;
    dst[r * 4] = 0x80000000 + rnd(5);
    proto[r] = [1, 6, 17][rnd(3)];
    port[r] = rnd(4) * 20000;
  }
  const rows = Int32Array.from({ length: n }, (_, r) => r).filter(() => rnd(3) === 0);
  const all = comparatorOrder(n, fam, src, dst, proto, port);
  const kept = new Set(rows);
  assert.deepEqual([...probeOrder(n, fam, src, dst, proto, port, rows)], [...all].filter((r) => kept.has(r)));
  assert.deepEqual([...probeOrder(n, fam, src, dst, proto, port, new Int32Array(0))], []);
});
