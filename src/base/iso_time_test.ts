import assert from "node:assert/strict";
import { isoTime } from "./iso_time.ts";
import { seededRng } from "../../tests/helpers/seeded_rng.ts";

Deno.test("isoTime() writes what Date#toISOString() writes, across days, fractions and the range's ends", () => {
  const rand = seededRng(3);
  const times: number[] = [
    0,
    -1,
    1.5,
    -0.5,
    86_399_999.9,
    -86_400_001.5,
    951_782_400_000, // 2000-02-29
    253_402_300_799_999, // 9999-12-31T23:59:59.999Z
    253_402_300_800_000, // +010000-01-01: the extended year
    -62_198_755_200_000, // year 0
    -62_198_755_200_001, // -000001
    8.64e15,
    -8.64e15,
  ];
  // Consecutive times within a day and across midnights, in and out of order (the day prefix is cached).
  for (let t = 1_796_400_000_000, i = 0; i < 20_000; i++) {
    times.push(t += rand() % 20_000 + (rand() % 100) / 100);
  }
  for (let i = 0; i < 20_000; i++) times.push((rand() * 2 - 4_294_967_296) * 1000 + (rand() % 1000) / 10);
  for (const t of times) assert.equal(isoTime(t), new Date(t).toISOString(), String(t));
});

Deno.test("isoTime() throws the RangeError of toISOString() for a time that is not one", () => {
  for (const t of [NaN, Infinity, -Infinity, 8.64e15 + 1, -8.64e15 - 1]) {
    isoTime(Math.sign(t) * 8.64e15 || 0); // the last valid day is the one kept
    assert.throws(() => new Date(t).toISOString(), RangeError);
    assert.throws(() => isoTime(t), RangeError, String(t));
  }
});
