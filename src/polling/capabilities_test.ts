import assert from "node:assert/strict";
import {
  capabilitiesFrom,
  CAPABILITY_OIDS,
  decodeLldpCapabilities,
  OID_IP_FORWARDING,
  OID_PRT_GENERAL_ENTRY,
  printerMibFrom,
  probeCapabilities,
} from "./capabilities.ts";
import { SnmpError, type SnmpSession, type SnmpValue, type SnmpVarbind } from "../snmp/snmp_types.ts";

Deno.test("decodeLldpCapabilities() reads BITS with bit 0 as the top bit of the first octet", () => {
  // bridge(2) + router(4): 0b0010_1000
  assert.deepEqual(decodeLldpCapabilities(new Uint8Array([0x28])), ["bridge", "router"]);
  // other(0) + station(7)
  assert.deepEqual(decodeLldpCapabilities(new Uint8Array([0x81, 0x00])), ["other", "station"]);
  // wlanAccessPoint(3)
  assert.deepEqual(decodeLldpCapabilities(new Uint8Array([0x10])), ["wlanAccessPoint"]);
  assert.deepEqual(decodeLldpCapabilities(new Uint8Array([])), []);
});

Deno.test("capabilitiesFrom() leaves absent objects undefined", () => {
  assert.deepEqual(capabilitiesFrom([undefined, undefined, undefined, undefined]), {});
});

Deno.test("capabilitiesFrom() reads forwarding, bridge ports, LLDP and the UPS-MIB", () => {
  assert.deepEqual(capabilitiesFrom([1, 28, new Uint8Array([0x28]), undefined]), {
    ipForwarding: true,
    bridgePorts: 28,
    lldpCapabilities: ["bridge", "router"],
  });
  assert.deepEqual(capabilitiesFrom([2, 0, undefined, new TextEncoder().encode("Smart-UPS 1500")]), {
    ipForwarding: false,
    bridgePorts: 0,
    upsMib: true,
  });
});

Deno.test("capabilitiesFrom() treats values of the wrong type as absent", () => {
  const garbage: SnmpValue[] = [new Uint8Array([1]), "lots", 5, 7];
  assert.deepEqual(capabilitiesFrom(garbage), {});
  assert.deepEqual(capabilitiesFrom([7, -1, null, null]), {});
});

Deno.test("printerMibFrom() counts a prtGeneralTable row and nothing past the table", () => {
  const vb = (oid: string): SnmpVarbind => ({ oid, value: 1 });
  assert.equal(printerMibFrom([vb(`${OID_PRT_GENERAL_ENTRY}.1.1`)]), true);
  assert.equal(
    printerMibFrom([vb(`${OID_PRT_GENERAL_ENTRY}.1.7`)]),
    true,
    "a print engine at any hrDeviceIndex",
  );
  // What a Windows host with printer drivers answers: HOST-RESOURCES rows, never Printer-MIB.
  assert.equal(printerMibFrom([vb("1.3.6.1.2.1.55.1.1.0")]), false);
  assert.equal(printerMibFrom([null]), false, "endOfMibView");
  assert.equal(printerMibFrom([]), false);
});

/** A session whose get() answers from a table, or fails as told; records what was asked. */
function fakeSession(
  answer: (oids: readonly string[]) => (SnmpValue | undefined)[] | SnmpError,
  next: (oids: readonly string[]) => (SnmpVarbind | null)[] | SnmpError = () => [null],
): SnmpSession & { asked: string[][]; walkedFrom: string[][] } {
  const asked: string[][] = [];
  const walkedFrom: string[][] = [];
  return {
    asked,
    walkedFrom,
    target: {
      ip: "192.0.2.1",
      port: 161,
      credentials: { version: "v2c", community: "x" },
      timeoutMs: 10,
      retries: 0,
    },
    get(oids) {
      asked.push([...oids]);
      const r = answer(oids);
      return r instanceof SnmpError ? Promise.reject(r) : Promise.resolve(r);
    },
    walk: () => Promise.resolve([]),
    getBulk(oids, maxRepetitions) {
      assert.equal(maxRepetitions, 1, "a GETNEXT, not a walk");
      walkedFrom.push([...oids]);
      const r = next(oids);
      return r instanceof SnmpError ? Promise.reject(r) : Promise.resolve(r);
    },
    close() {},
  };
}

Deno.test("probeCapabilities() asks for every scalar in one GET and for Printer-MIB with one GETNEXT", async () => {
  const s = fakeSession((oids) => oids.map((o) => (o === OID_IP_FORWARDING ? 1 : undefined)));
  assert.deepEqual(await probeCapabilities(s), { ipForwarding: true, printerMib: false });
  assert.deepEqual(s.asked, [[...CAPABILITY_OIDS]]);
  assert.deepEqual(s.walkedFrom, [[OID_PRT_GENERAL_ENTRY]]);
});

Deno.test("probeCapabilities() finds a printer's prtGeneralTable row", async () => {
  const s = fakeSession(
    (oids) => oids.map(() => undefined),
    () => [{ oid: `${OID_PRT_GENERAL_ENTRY}.1.1`, value: 3 }],
  );
  assert.deepEqual(await probeCapabilities(s), { printerMib: true });
});

Deno.test("probeCapabilities() leaves printerMib undefined when the agent refuses the GETNEXT", async () => {
  const s = fakeSession((oids) => oids.map(() => undefined), () => new SnmpError("error", "genErr"));
  assert.deepEqual(await probeCapabilities(s), {});
});

Deno.test("probeCapabilities() asks one OID at a time when the agent rejects the whole GET", async () => {
  const s = fakeSession((oids) => {
    if (oids.length > 1) return new SnmpError("no_such_object", "noSuchName");
    return oids[0] === OID_IP_FORWARDING ? [2] : new SnmpError("no_such_object", "noSuchName");
  });
  assert.deepEqual(await probeCapabilities(s), { ipForwarding: false, printerMib: false });
  assert.equal(s.asked.length, 1 + CAPABILITY_OIDS.length);
});

Deno.test("probeCapabilities() rejects when the agent does not answer", async () => {
  const s = fakeSession(() => new SnmpError("timeout", "timeout after 10 ms × 1 try"));
  await assert.rejects(probeCapabilities(s), (e) => e instanceof SnmpError && e.failure === "timeout");
  assert.equal(s.asked.length, 1);
});
