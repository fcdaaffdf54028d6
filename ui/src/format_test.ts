import assert from "node:assert/strict";
import {
  endpoint,
  formatAgo,
  formatBps,
  formatBytes,
  formatCount,
  formatDuration,
  formatPct,
  protocolName,
} from "./format.ts";

Deno.test("formatBytes() scales by 1000 with decimals that shrink as the number grows", () => {
  assert.equal(formatBytes(0), "0 B");
  assert.equal(formatBytes(999), "999 B");
  assert.equal(formatBytes(1000), "1 kB");
  assert.equal(formatBytes(1234), "1.23 kB");
  assert.equal(formatBytes(98_802), "98.8 kB");
  assert.equal(formatBytes(1_000_000), "1 MB");
  assert.equal(formatBytes(123_456_789), "123 MB");
  assert.equal(formatBytes(null), "–");
});

Deno.test("formatBps() names bits per second", () => {
  assert.equal(formatBps(12_500_000), "12.5 Mbit/s");
  assert.equal(formatBps(0), "0 bit/s");
});

Deno.test("formatCount() separates thousands and formatPct() keeps one decimal only below 10", () => {
  assert.equal(formatCount(100_000), "100,000");
  assert.equal(formatPct(7.53), "7.5 %");
  assert.equal(formatPct(63.4), "63 %");
  assert.equal(formatPct(null), "–");
});

Deno.test("formatDuration() and formatAgo() use the two largest units", () => {
  assert.equal(formatDuration(3), "3 s");
  assert.equal(formatDuration(0), "0 s");
  assert.equal(formatDuration(0.038), "38 ms");
  assert.equal(formatDuration(0.0002), "< 1 ms");
  assert.equal(formatDuration(0.9996), "1 s");
  assert.equal(formatDuration(245), "4 min 5 s");
  assert.equal(formatDuration(7800), "2 h 10 min");
  assert.equal(formatDuration(273600), "3 d 4 h");
  assert.equal(formatAgo(1_000, 13_000), "12 s ago");
});

Deno.test("protocolName() names IANA protocols and endpoint() brackets IPv6", () => {
  assert.equal(protocolName(6), "TCP");
  assert.equal(protocolName(253), "253");
  assert.equal(endpoint("10.0.0.1", 443), "10.0.0.1:443");
  assert.equal(endpoint("2001:db8::1", 53), "[2001:db8::1]:53");
});
