import assert from "node:assert/strict";
import {
  agentRestarted,
  counter32Delta,
  counter64Delta,
  type CounterSample,
  interfaceRates,
  utilisationPct,
} from "./counter_rates.ts";

function sample(o: Partial<CounterSample>): CounterSample {
  return {
    atMs: 0,
    sysUpTimeCs: 100_000,
    hcInOctets: null,
    hcOutOctets: null,
    inOctets: null,
    outOctets: null,
    inErrors: null,
    outErrors: null,
    inDiscards: null,
    ...o,
  };
}

Deno.test("interfaceRates() gives no rates on the first poll but says which counters it will use", () => {
  const r = interfaceRates(
    undefined,
    sample({ hcInOctets: 5n, hcOutOctets: 5n, inOctets: 5, outOctets: 5 }),
    1e9,
  );
  assert.deepEqual(r, {
    in_bps: null,
    out_bps: null,
    in_util_pct: null,
    out_util_pct: null,
    in_errors_per_s: null,
    out_errors_per_s: null,
    in_discards_per_s: null,
    counters: "hc64",
  });
});

Deno.test("interfaceRates() computes octets/s, utilisation and error rates over the interval", () => {
  // 10 s apart; 12,500,000 octets in = 10 Mb/s on a 100 Mb/s link = 10 %.
  const a = sample({
    atMs: 0,
    sysUpTimeCs: 1000,
    hcInOctets: 0n,
    hcOutOctets: 1000n,
    inErrors: 1,
    outErrors: 0,
    inDiscards: 7,
  });
  const b = sample({
    atMs: 10_000,
    sysUpTimeCs: 2000,
    hcInOctets: 12_500_000n,
    hcOutOctets: 1000n + 6_250_000n,
    inErrors: 21,
    outErrors: 5,
    inDiscards: 7,
  });
  const r = interfaceRates(a, b, 100_000_000);
  assert.equal(r.counters, "hc64");
  assert.equal(r.in_bps, 10_000_000);
  assert.equal(r.out_bps, 5_000_000);
  assert.equal(r.in_util_pct, 10);
  assert.equal(r.out_util_pct, 5);
  assert.equal(r.in_errors_per_s, 2);
  assert.equal(r.out_errors_per_s, 0.5);
  assert.equal(r.in_discards_per_s, 0);
});

Deno.test("interfaceRates() prefers 64-bit HC counters over the 32-bit ones when both samples have them", () => {
  // The 32-bit counters disagree on purpose: if they were used, in_bps would be 1.
  const a = sample({ atMs: 0, sysUpTimeCs: 0, hcInOctets: 0n, hcOutOctets: 0n, inOctets: 0, outOctets: 0 });
  const b = sample({
    atMs: 1000,
    sysUpTimeCs: 100,
    hcInOctets: 5_000_000_000n,
    hcOutOctets: 0n,
    inOctets: 1,
    outOctets: 0,
  });
  const r = interfaceRates(a, b, null);
  assert.equal(r.counters, "hc64");
  assert.equal(r.in_bps, 40_000_000_000);
});

Deno.test("interfaceRates() falls back to 32-bit counters when a sample lacks HC ones", () => {
  const a = sample({ atMs: 0, sysUpTimeCs: 0, inOctets: 100, outOctets: 100 });
  const b = sample({
    atMs: 2000,
    sysUpTimeCs: 200,
    hcInOctets: 9n,
    hcOutOctets: 9n,
    inOctets: 300,
    outOctets: 100,
  });
  const r = interfaceRates(a, b, null);
  assert.equal(r.counters, "c32");
  assert.equal(r.in_bps, 800);
  assert.equal(r.out_bps, 0);
});

Deno.test("interfaceRates() assumes one wrap when a Counter32 went down", () => {
  // 2^32 - 1000 → 3000: 4000 octets in 1 s.
  const a = sample({ atMs: 0, sysUpTimeCs: 0, inOctets: 4294967296 - 1000, outOctets: 0 });
  const b = sample({ atMs: 1000, sysUpTimeCs: 100, inOctets: 3000, outOctets: 0 });
  const r = interfaceRates(a, b, 1_000_000);
  assert.equal(r.in_bps, 32000);
  assert.equal(r.in_util_pct, 3.2);
});

Deno.test("interfaceRates() treats a Counter32 'wrap' faster than the line as a reset: no rate", () => {
  const a = sample({ atMs: 0, sysUpTimeCs: 0, inOctets: 2_000_000_000, outOctets: 10 });
  const b = sample({ atMs: 60_000, sysUpTimeCs: 6000, inOctets: 1000, outOctets: 20 });
  const r = interfaceRates(a, b, 10_000_000);
  assert.equal(r.in_bps, null);
  assert.equal(r.in_util_pct, null);
  assert.equal(r.out_bps, 1); // 10 octets in 60 s: 1.33 bit/s, to a whole bit
});

Deno.test("interfaceRates() rounds: whole bits per second, utilisation and errors per second to a thousandth", () => {
  // 1,227 octets and one error in 60 s on a 10 Gb/s port: 163.6 bit/s, 1.6e-6 % of the line, 0.0167 errors/s
  const a = sample({ atMs: 0, sysUpTimeCs: 0, hcInOctets: 0n, hcOutOctets: 0n, inErrors: 0 });
  const b = sample({
    atMs: 60_000,
    sysUpTimeCs: 6000,
    hcInOctets: 1227n,
    hcOutOctets: 6_250_000_000n, // 833.3 Mbit/s: 8.333… %
    inErrors: 1,
  });
  const r = interfaceRates(a, b, 10_000_000_000);
  assert.equal(r.in_bps, 164);
  assert.equal(r.in_util_pct, 0);
  assert.equal(r.out_bps, 833_333_333);
  assert.equal(r.out_util_pct, 8.333);
  assert.equal(r.in_errors_per_s, 0.017);
});

Deno.test("interfaceRates() gives no rate for a Counter64 that went down (a reset)", () => {
  const a = sample({ atMs: 0, sysUpTimeCs: 0, hcInOctets: 5000n, hcOutOctets: 5000n });
  const b = sample({ atMs: 1000, sysUpTimeCs: 100, hcInOctets: 10n, hcOutOctets: 6000n });
  const r = interfaceRates(a, b, null);
  assert.equal(r.in_bps, null);
  assert.equal(r.out_bps, 8000);
});

Deno.test("interfaceRates() gives no rates at all for an interval in which sysUpTime went backwards", () => {
  const a = sample({ atMs: 0, sysUpTimeCs: 900_000, hcInOctets: 1n, hcOutOctets: 1n, inErrors: 0 });
  const b = sample({ atMs: 60_000, sysUpTimeCs: 3000, hcInOctets: 900n, hcOutOctets: 900n, inErrors: 5 });
  const r = interfaceRates(a, b, 1e9);
  assert.equal(r.in_bps, null);
  assert.equal(r.out_bps, null);
  assert.equal(r.in_errors_per_s, null);
  assert.equal(r.counters, "hc64");
});

Deno.test("interfaceRates() has utilisation null without a speed, but still octets/s", () => {
  const a = sample({ atMs: 0, sysUpTimeCs: 0, hcInOctets: 0n, hcOutOctets: 0n });
  const b = sample({ atMs: 1000, sysUpTimeCs: 100, hcInOctets: 100n, hcOutOctets: 0n });
  const r = interfaceRates(a, b, null);
  assert.equal(r.in_bps, 800);
  assert.equal(r.in_util_pct, null);
});

Deno.test("interfaceRates() has null rates and counters when the agent has no octet counters", () => {
  const a = sample({ atMs: 0, sysUpTimeCs: 0, inErrors: 0 });
  const b = sample({ atMs: 1000, sysUpTimeCs: 100, inErrors: 3 });
  const r = interfaceRates(a, b, 1e6);
  assert.equal(r.counters, null);
  assert.equal(r.in_bps, null);
  assert.equal(r.in_errors_per_s, 3);
});

Deno.test("agentRestarted() sees uptime going backwards, or shorter than the time since the last poll", () => {
  assert.equal(agentRestarted(1000, 999, 0), true);
  assert.equal(agentRestarted(1000, 7000, 60_000), false); // 60 s up in 60 s
  assert.equal(agentRestarted(1000, 6000, 60_000), false); // 50 s in 60 s: within tolerance
  // Up 10 s at the last poll, 30 s now, 5 min later: it restarted in between, though its uptime grew.
  assert.equal(agentRestarted(1_000, 3_000, 300_000), true);
  // Up 1,000 s at the last poll, 1,020 s now, 5 min later: its uptime lags the clock, but it has been up for
  // longer than 5 min, so it did not restart (an agent that updates sysUpTime seldom).
  assert.equal(agentRestarted(100_000, 102_000, 300_000), false);
  // An uptime that stands still at a day: never a restart.
  assert.equal(agentRestarted(8_640_000, 8_640_000, 60_000), false);
});

Deno.test("interfaceRates() measures over the poller's clock when the agent's sysUpTime stands still", () => {
  const a = sample({ atMs: 0, sysUpTimeCs: 8_640_000, hcInOctets: 0n, hcOutOctets: 0n });
  const b = sample({ atMs: 60_000, sysUpTimeCs: 8_640_000, hcInOctets: 7_500_000n, hcOutOctets: 0n });
  const r = interfaceRates(a, b, 1e9);
  assert.equal(r.in_bps, 1_000_000); // 7.5 MB in 60 s
  assert.equal(r.in_util_pct, 0.1);
});

Deno.test("counter32Delta() and counter64Delta() handle wrap, reset and absence", () => {
  assert.equal(counter32Delta(10, 15), 5);
  assert.equal(counter32Delta(4294967295, 0), 1);
  assert.equal(counter32Delta(null, 1), null);
  assert.equal(counter64Delta(2n ** 63n, 2n ** 63n + 8n), 8);
  assert.equal(counter64Delta(9n, 8n), null);
});

Deno.test("utilisationPct() is bits per second over speed, clamped to 0–100, null without a speed", () => {
  assert.equal(utilisationPct(1_000_000, 1_000_000), 100);
  assert.equal(utilisationPct(2_000_000, 1_000_000), 100);
  assert.equal(utilisationPct(100_000, 1_000_000), 10);
  assert.equal(utilisationPct(1, null), null);
  assert.equal(utilisationPct(1, 0), null);
});
