import assert from "node:assert/strict";
import {
  capabilitiesFrom,
  CAPABILITY_OIDS,
  decodeLldpCapabilities,
  OID_HR_DEVICE_PRINTER,
  OID_IP_FORWARDING,
  probeCapabilities,
} from "./capabilities.ts";
import { SnmpError, type SnmpSession, type SnmpValue } from "../snmp/snmp_types.ts";

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
  assert.deepEqual(capabilitiesFrom([undefined, undefined, undefined, undefined, undefined]), {});
});

Deno.test("capabilitiesFrom() reads forwarding, bridge ports, LLDP and Printer-MIB", () => {
  assert.deepEqual(capabilitiesFrom([1, 28, new Uint8Array([0x28]), undefined, "1.3.6.1.2.1.25.3.1.3"]), {
    ipForwarding: true,
    bridgePorts: 28,
    lldpCapabilities: ["bridge", "router"],
    printerMib: false,
  });
  assert.deepEqual(capabilitiesFrom([2, 0, undefined, 3, undefined]), {
    ipForwarding: false,
    bridgePorts: 0,
    printerMib: true,
  });
  assert.equal(
    capabilitiesFrom([undefined, undefined, undefined, undefined, OID_HR_DEVICE_PRINTER]).printerMib,
    true,
  );
});

Deno.test("capabilitiesFrom() treats values of the wrong type as absent", () => {
  const garbage: SnmpValue[] = [new Uint8Array([1]), "lots", 5, null, 7];
  assert.deepEqual(capabilitiesFrom(garbage), { printerMib: false });
  assert.deepEqual(capabilitiesFrom([7, -1, null, undefined, undefined]), {});
});

/** A session whose get() answers from a table, or fails as told; records what was asked. */
function fakeSession(
  answer: (oids: readonly string[]) => (SnmpValue | undefined)[] | SnmpError,
): SnmpSession & { asked: string[][] } {
  const asked: string[][] = [];
  return {
    asked,
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
    getBulk: () => Promise.resolve([]),
    close() {},
  };
}

Deno.test("probeCapabilities() asks for every capability in one GET", async () => {
  const s = fakeSession((oids) => oids.map((o) => (o === OID_IP_FORWARDING ? 1 : undefined)));
  assert.deepEqual(await probeCapabilities(s), { ipForwarding: true });
  assert.deepEqual(s.asked, [[...CAPABILITY_OIDS]]);
});

Deno.test("probeCapabilities() asks one OID at a time when the agent rejects the whole GET", async () => {
  const s = fakeSession((oids) => {
    if (oids.length > 1) return new SnmpError("no_such_object", "noSuchName");
    return oids[0] === OID_IP_FORWARDING ? [2] : new SnmpError("no_such_object", "noSuchName");
  });
  assert.deepEqual(await probeCapabilities(s), { ipForwarding: false });
  assert.equal(s.asked.length, 1 + CAPABILITY_OIDS.length);
});

Deno.test("probeCapabilities() rejects when the agent does not answer", async () => {
  const s = fakeSession(() => new SnmpError("timeout", "timeout after 10 ms × 1 try"));
  await assert.rejects(probeCapabilities(s), (e) => e instanceof SnmpError && e.failure === "timeout");
  assert.equal(s.asked.length, 1);
});
