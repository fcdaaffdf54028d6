import assert from "node:assert/strict";
import { compileReadings, MAX_READ_LENGTH, readFirst } from "./sys_descr.ts";

Deno.test("readFirst() joins a pattern's capture groups that took part, with one space", () => {
  const r = compileReadings([{
    sysDescr: String.raw`^(?:HP|ProCurve)\s+(J\w+)\s+(?:(\S+)\s+Switch|Switch\s+([^,]+)),`,
  }], "t");
  assert.equal(readFirst(r, "", "ProCurve J9021A Switch 2810-24G, revision N.11.75"), "J9021A 2810-24G");
  assert.equal(
    readFirst(r, "", "HP J9774A 2530-8G-PoEP Switch, revision YA.16.11.0031"),
    "J9774A 2530-8G-PoEP",
  );
  assert.equal(readFirst(r, "", "Linux host 6.1.0"), null);
});

Deno.test("readFirst() tries its readings in order: a pattern, then a product table, then a value", () => {
  const r = compileReadings([
    { sysDescr: String.raw`^FortiGate-(\S+)` },
    { sysObjectId: { "1.3.6.1.4.1.12356.101.1.30": "FortiGate-VM64" } },
    { value: "FortiGate" },
  ], "t");
  assert.equal(readFirst(r, "", "FortiGate-60E v6.2.3"), "60E");
  assert.equal(readFirst(r, ".1.3.6.1.4.1.12356.101.1.30", ""), "FortiGate-VM64", "leading dot tolerated");
  assert.equal(readFirst(r, "1.3.6.1.4.1.12356.101.1.31", ""), "FortiGate");
  assert.equal(readFirst([], "1.3.6.1.4.1.9", "anything"), null);
});

Deno.test("readFirst() tidies what a peer wrote: runs of space, empty captures, runaway length", () => {
  const r = compileReadings([{ sysDescr: String.raw`^Model:(.*)$` }], "t");
  assert.equal(readFirst(r, "", "Model:   ABC \t 12  "), "ABC 12");
  assert.equal(readFirst(r, "", "Model:   "), null);
  const long = readFirst(r, "", `Model:${"x".repeat(1000)}`);
  assert.equal(long?.length, MAX_READ_LENGTH);
});

Deno.test("compileReadings() names the definition whose pattern is not a regular expression", () => {
  assert.throws(
    () => compileReadings([{ sysDescr: "(" }], "broken-def model"),
    (e: Error) => e instanceof SyntaxError && e.message.startsWith("broken-def model: pattern /(/"),
  );
});
