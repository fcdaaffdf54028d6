/**
 * PortCounterBook: interfaces from pushed counters. Each expected rate is worked out here from the counters
 * written (octet delta × 8 / seconds on the agent's clock), not taken from the code.
 */
import assert from "node:assert/strict";
import type { PortCounters } from "../events/mod.ts";
import { PortCounterBook } from "./port_counters.ts";

/** Port 3 of 192.0.2.1 at uptime `uptimeMs` with these counters (a 1 Gb/s port, up). */
function at(
  uptimeMs: number,
  inOctets: bigint,
  outOctets: bigint,
  more: Partial<PortCounters> = {},
): PortCounters {
  return {
    exporter: "192.0.2.1",
    uptimeMs,
    ifIndex: 3,
    ifType: 6,
    speedBps: 1_000_000_000,
    adminUp: true,
    operUp: true,
    inOctets,
    outOctets,
    inErrors: 0,
    outErrors: 0,
    inDiscards: 0,
    ...more,
  };
}

Deno.test("pushed counters: the first sample has no rates; the next has them, over the agent's clock", () => {
  const book = new PortCounterBook();
  const first = book.add(at(100_000, 1_000_000n, 5_000n))!;
  assert.deepEqual(
    [first.name, first.type, first.speed_bps, first.oper_status, first.admin_status, first.in_bps],
    ["ifIndex 3", "ethernetCsmacd", 1_000_000_000, "up", "up", null],
  );
  assert.equal(first.counters, "hc64");
  // 20 s later: 25,000,000 octets in (10 Mb/s = 1 % of the port), 500,000 out, 40 input errors
  const next = book.add(at(120_000, 26_000_000n, 505_000n, { inErrors: 40 }))!;
  assert.deepEqual(
    [next.in_bps, next.out_bps, next.in_util_pct, next.out_util_pct, next.in_errors_per_s],
    [10_000_000, 200_000, 1, 0.02, 2],
  );
  assert.deepEqual(book.interfaces("192.0.2.1"), [next]);
});

Deno.test("pushed counters: a repeat is no interval; a restart or a counter that went down gives no rate", () => {
  const book = new PortCounterBook();
  book.add(at(100_000, 1_000n, 1_000n));
  assert.equal(
    book.add(at(100_200, 2_000n, 2_000n)),
    null,
    "0.2 s later on the agent's clock: the same reading",
  );
  const restarted = book.add(at(3_000, 10n, 10n))!; // uptime went back: the agent restarted
  assert.deepEqual([restarted.in_bps, restarted.out_bps], [null, null]);
  const after = book.add(at(13_000, 12_510n, 10n))!; // 10 s on: 12,500 octets in
  assert.deepEqual([after.in_bps, after.out_bps], [10_000, 0]);
  const reset = book.add(at(23_000, 5n, 20n))!; // in went down (a reset), out went on
  assert.deepEqual([reset.in_bps, reset.out_bps], [null, 8]);
});

Deno.test("pushed counters: a port that is down, unknown speed and absent counters", () => {
  const book = new PortCounterBook();
  const p = at(1_000, null as unknown as bigint, null as unknown as bigint, {
    operUp: false,
    speedBps: null,
    inErrors: null,
  });
  book.add(p);
  const next = book.add({ ...p, uptimeMs: 11_000 })!;
  assert.deepEqual(
    [next.oper_status, next.admin_status, next.speed_bps, next.in_bps, next.in_util_pct, next.counters],
    ["down", "up", null, null, null, null],
  );
  assert.equal(next.in_errors_per_s, null);
  assert.equal(next.out_errors_per_s, 0);
});

Deno.test("pushed counters: bounded per device and over all devices, the device updated longest ago going first", () => {
  const book = new PortCounterBook({ maxPorts: 5, perDevice: 3 });
  for (const ifIndex of [1, 2, 3]) book.add(at(1_000, 0n, 0n, { ifIndex, exporter: "192.0.2.1" }));
  assert.equal(book.add(at(1_000, 0n, 0n, { ifIndex: 4, exporter: "192.0.2.1" })), null, "a fourth port");
  assert.deepEqual(book.interfaces("192.0.2.1").map((i) => i.index), [1, 2, 3]);
  for (const ifIndex of [7, 8]) book.add(at(1_000, 0n, 0n, { ifIndex, exporter: "192.0.2.2" }));
  assert.equal(book.size, 5);
  book.add(at(1_000, 0n, 0n, { ifIndex: 9, exporter: "192.0.2.3" })); // past 5: 192.0.2.1 goes
  assert.deepEqual(book.interfaces("192.0.2.1"), []);
  assert.deepEqual(book.interfaces("192.0.2.2").map((i) => i.index), [7, 8]);
  assert.equal(book.size, 3);
  book.forget("192.0.2.2");
  assert.deepEqual([book.size, book.interfaces("192.0.2.2").length], [1, 0]);
});
