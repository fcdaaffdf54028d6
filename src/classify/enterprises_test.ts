import assert from "node:assert/strict";
import { Enterprise, enterpriseOf, enterpriseVendor, oidUnder } from "./enterprises.ts";

Deno.test("enterpriseOf() reads the number after 1.3.6.1.4.1, with or without a leading dot", () => {
  assert.equal(enterpriseOf("1.3.6.1.4.1.9.1.1208"), 9);
  assert.equal(enterpriseOf(".1.3.6.1.4.1.25461"), 25461);
  assert.equal(enterpriseOf("1.3.6.1.4.1.12356.101.1.30"), Enterprise.Fortinet);
});

Deno.test("enterpriseOf() returns null outside the enterprises arc and for malformed text", () => {
  assert.equal(enterpriseOf("1.3.6.1.2.1.1.2.0"), null);
  assert.equal(enterpriseOf("1.3.6.1.4.1"), null);
  assert.equal(enterpriseOf("1.3.6.1.4.10.9"), null);
  assert.equal(enterpriseOf("1.3.6.1.4.1.x"), null);
  assert.equal(enterpriseOf(""), null);
});

Deno.test("enterpriseVendor() names known vendors and not the Net-SNMP agent", () => {
  assert.equal(enterpriseVendor("1.3.6.1.4.1.2636.1.1.1.2.39"), "Juniper Networks");
  assert.equal(enterpriseVendor("1.3.6.1.4.1.10002.1"), "Ubiquiti");
  assert.equal(enterpriseVendor("1.3.6.1.4.1.8072.3.2.10"), null);
  assert.equal(enterpriseVendor("1.3.6.1.4.1.99999.1"), null);
});

Deno.test("oidUnder() matches whole arcs only", () => {
  assert.equal(oidUnder("1.3.6.1.4.1.11.2.3.9.1", "1.3.6.1.4.1.11.2.3.9"), true);
  assert.equal(oidUnder("1.3.6.1.4.1.11.2.3.9", "1.3.6.1.4.1.11.2.3.9"), true);
  assert.equal(oidUnder("1.3.6.1.4.1.11.2.3.91", "1.3.6.1.4.1.11.2.3.9"), false);
  assert.equal(oidUnder(".1.3.6.1.4.1.11.2.3.9.1", "1.3.6.1.4.1.11.2.3.9"), true);
});
