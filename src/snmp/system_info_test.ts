import assert from "node:assert/strict";
import { decodeText, getSystemInfo } from "./system_info.ts";
import { octets, TableSession } from "../../tests/helpers/table_session.ts";
import { SnmpError } from "./snmp_types.ts";

const SYSTEM = "1.3.6.1.2.1.1";

Deno.test("getSystemInfo() reads sysDescr, sysObjectID, sysName, sysServices and sysUpTime", async () => {
  const s = new TableSession([
    [`${SYSTEM}.1.0`, octets("Cisco IOS Software, C2960 Software (C2960-LANBASEK9-M), Version 15.0(2)SE4")],
    [`${SYSTEM}.2.0`, "1.3.6.1.4.1.9.1.1208"],
    [`${SYSTEM}.3.0`, 123456],
    [`${SYSTEM}.5.0`, octets("sw-core-1")],
    [`${SYSTEM}.7.0`, 2],
  ]);
  assert.deepEqual(await getSystemInfo(s), {
    sysDescr: "Cisco IOS Software, C2960 Software (C2960-LANBASEK9-M), Version 15.0(2)SE4",
    sysObjectId: "1.3.6.1.4.1.9.1.1208",
    sysName: "sw-core-1",
    sysServices: 2,
    sysUpTimeCs: 123456,
  });
});

Deno.test("getSystemInfo() leaves absent optional objects empty and sysServices undefined", async () => {
  const s = new TableSession([[`${SYSTEM}.3.0`, 5]]);
  assert.deepEqual(await getSystemInfo(s), {
    sysDescr: "",
    sysObjectId: "",
    sysName: "",
    sysServices: undefined,
    sysUpTimeCs: 5,
  });
});

Deno.test("getSystemInfo() rejects with no_such_object when the agent has no sysUpTime", async () => {
  const s = new TableSession([[`${SYSTEM}.1.0`, octets("x")]]);
  await assert.rejects(getSystemInfo(s), (e) => e instanceof SnmpError && e.failure === "no_such_object");
});

Deno.test("getSystemInfo() rejects with malformed when sysUpTime is not a number", async () => {
  const s = new TableSession([[`${SYSTEM}.3.0`, octets("soon")]]);
  await assert.rejects(getSystemInfo(s), (e) => e instanceof SnmpError && e.failure === "malformed");
});

Deno.test("getSystemInfo() passes the session's error on", async () => {
  const s = new TableSession([]).fail(SYSTEM, new SnmpError("timeout", "timeout after 10 ms × 1 try"));
  await assert.rejects(getSystemInfo(s), { failure: "timeout", message: "timeout after 10 ms × 1 try" });
});

Deno.test("decodeText() turns line breaks into spaces and drops other control characters", () => {
  assert.equal(
    decodeText(octets("Cisco IOS Software\r\nTechnical Support: http://www.cisco.com/techsupport\x00\x07")),
    "Cisco IOS Software Technical Support: http://www.cisco.com/techsupport",
  );
  assert.equal(decodeText(octets("\x1b[31mred\x7f")), "[31mred");
});

Deno.test("decodeText() decodes UTF-8, replaces invalid bytes and caps at 255 characters", () => {
  assert.equal(decodeText(octets("Zürich-Büro")), "Zürich-Büro");
  assert.equal(decodeText(new Uint8Array([0x41, 0xff, 0x42])), "A\ufffdB");
  const long = decodeText(octets("é".repeat(300)));
  assert.equal(Array.from(long).length, 255);
});
