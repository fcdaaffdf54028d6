import assert from "node:assert/strict";
import {
  DEFAULT_ENTERPRISES_PATH,
  enterpriseOf,
  EnterpriseRegistry,
  enterpriseVendor,
  oidUnder,
} from "./enterprises.ts";
import { setLogSink } from "../base/log.ts";

/** Writes `text` to a temporary registry file; removes it after `fn`. */
async function withFile(text: string, fn: (path: string) => void | Promise<void>): Promise<void> {
  const path = await Deno.makeTempFile({ prefix: "flintnet-enterprises-", suffix: ".tsv" });
  try {
    await Deno.writeTextFile(path, text);
    await fn(path);
  } finally {
    await Deno.remove(path);
  }
}

/** Log lines written while `fn` runs. */
function logged(fn: () => void): string[] {
  const lines: string[] = [];
  setLogSink((l) => lines.push(l));
  try {
    fn();
  } finally {
    setLogSink(undefined);
  }
  return lines;
}

Deno.test("EnterpriseRegistry reads number<TAB>name lines, skipping comments and Wireshark's notes", async () => {
  const text = [
    "# generated from https://www.iana.org/assignments/enterprise-numbers",
    "",
    "0\tReserved",
    "2\tIBM (https://w3.ibm.com/standards )",
    "9\tciscoSystems",
    "1991\tBrocade Communication Systems, Inc.\t# formerly 'Foundry Networks, Inc.'",
    "3955 \t  Linksys  ",
    "not a number\tNobody",
    "42",
    "4294967295\tThe last one\r",
  ].join("\n");
  await withFile(text, (path) => {
    const r = new EnterpriseRegistry(path);
    assert.equal(r.status, "not_loaded", "nothing is read before a lookup");
    assert.equal(r.name(9), "ciscoSystems");
    assert.equal(r.status, "loaded");
    assert.equal(r.name(2), "IBM", "a registrant's URL is not part of its name");
    assert.equal(r.name(1991), "Brocade Communication Systems, Inc.");
    assert.equal(r.name(3955), "Linksys");
    assert.equal(r.name(4294967295), "The last one");
    assert.equal(r.name(0), "Reserved");
    assert.equal(r.name(42), null, "a number without a name is not an entry");
    assert.equal(r.name(10), null);
    assert.equal(r.size, 6);
    assert.equal(r.skipped, 2);
  });
});

Deno.test("EnterpriseRegistry finds numbers in a file that is not in order", async () => {
  await withFile("30065\tArista\n9\tciscoSystems\n311\tMicrosoft\n", (path) => {
    const r = new EnterpriseRegistry(path);
    assert.deepEqual([r.name(9), r.name(311), r.name(30065), r.name(12)], [
      "ciscoSystems",
      "Microsoft",
      "Arista",
      null,
    ]);
  });
});

Deno.test("EnterpriseRegistry with no file says so once in the log and names nobody", () => {
  const r = new EnterpriseRegistry("/nonexistent/enterprises.tsv");
  const lines = logged(() => {
    assert.equal(r.name(9), null);
    assert.equal(r.name(11), null);
  });
  assert.equal(r.status, "missing");
  assert.equal(lines.length, 1, lines.join("\n"));
  const rec = JSON.parse(lines[0]);
  assert.equal(rec.level, "warn");
  assert.match(rec.msg, /libwireshark-data/);
});

Deno.test("EnterpriseRegistry refuses a file over its size bound without reading it", async () => {
  await withFile("9\tciscoSystems\n".repeat(100), (path) => {
    const r = new EnterpriseRegistry(path, 64);
    logged(() => assert.equal(r.name(9), null));
    assert.equal(r.status, "too_large");
  });
});

Deno.test({
  name: "EnterpriseRegistry reads Debian's registry: each number names what its own line says",
  ignore: (() => {
    try {
      Deno.statSync(DEFAULT_ENTERPRISES_PATH);
      return false;
    } catch {
      return Deno.env.get("CI") !== "true";
    }
  })(),
  async fn() {
    // The oracle is the file read line by line with a regular expression, not the registry's parser.
    const expected = new Map<number, string>();
    for (const line of (await Deno.readTextFile(DEFAULT_ENTERPRISES_PATH)).split("\n")) {
      const m = /^(\d+)\t([^\t]+)/.exec(line);
      if (m) expected.set(Number(m[1]), m[2].trim());
    }
    const r = new EnterpriseRegistry();
    for (const n of [9, 11, 42, 311, 318, 3955, 8072, 14988, 25461, 41112]) {
      assert.equal(r.name(n), expected.get(n), `enterprise ${n}`);
    }
    assert.equal(r.size, expected.size);
  },
});

Deno.test("enterpriseOf() reads the number after 1.3.6.1.4.1, with or without a leading dot", () => {
  assert.equal(enterpriseOf("1.3.6.1.4.1.9.1.1208"), 9);
  assert.equal(enterpriseOf(".1.3.6.1.4.1.25461"), 25461);
  assert.equal(enterpriseOf("1.3.6.1.4.1.12356.101.1.30"), 12356);
});

Deno.test("enterpriseOf() returns null outside the enterprises arc and for malformed text", () => {
  assert.equal(enterpriseOf("1.3.6.1.2.1.1.2.0"), null);
  assert.equal(enterpriseOf("1.3.6.1.4.1"), null);
  assert.equal(enterpriseOf("1.3.6.1.4.10.9"), null);
  assert.equal(enterpriseOf("1.3.6.1.4.1.x"), null);
  assert.equal(enterpriseOf("1.3.6.1.4.1.99999999999"), null);
  assert.equal(enterpriseOf(""), null);
});

Deno.test("enterpriseVendor() asks the registry, but never for the Net-SNMP, UCD or bsnmpd agents", () => {
  const asked: number[] = [];
  const registry = { name: (n: number) => (asked.push(n), n === 2636 ? "Juniper Networks, Inc." : null) };
  assert.equal(enterpriseVendor("1.3.6.1.4.1.2636.1.1.1.2.39", registry), "Juniper Networks, Inc.");
  assert.equal(enterpriseVendor("1.3.6.1.4.1.99999.1", registry), null);
  assert.equal(enterpriseVendor("1.3.6.1.4.1.8072.3.2.10", registry), null);
  assert.equal(enterpriseVendor("1.3.6.1.4.1.2021.250.10", registry), null);
  assert.equal(enterpriseVendor("1.3.6.1.4.1.12325.1.1.2.1.1", registry), null);
  assert.equal(enterpriseVendor("1.3.6.1.2.1.33", registry), null);
  assert.deepEqual(asked, [2636, 99999]);
});

Deno.test("oidUnder() matches whole arcs only", () => {
  assert.equal(oidUnder("1.3.6.1.4.1.11.2.3.9.1", "1.3.6.1.4.1.11.2.3.9"), true);
  assert.equal(oidUnder("1.3.6.1.4.1.11.2.3.9", "1.3.6.1.4.1.11.2.3.9"), true);
  assert.equal(oidUnder("1.3.6.1.4.1.11.2.3.91", "1.3.6.1.4.1.11.2.3.9"), false);
  assert.equal(oidUnder(".1.3.6.1.4.1.11.2.3.9.1", "1.3.6.1.4.1.11.2.3.9"), true);
});
