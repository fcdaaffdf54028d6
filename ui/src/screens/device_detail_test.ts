import assert from "node:assert/strict";
import { sampleInterface } from "../../../tests/helpers/sample_devices.ts";
import { interfacesNote } from "./device_detail.ts";

const itf = sampleInterface(3, "ifIndex 3");
const snmp = (last: string | null) => ({
  status: "no_response" as const,
  last_success: last,
  last_error: null,
  poll_ms: null,
});

Deno.test("interfacesNote() says an exporter's ports come from its sFlow counters, and says nothing of polled ones", () => {
  assert.match(
    interfacesNote({ interfaces: [itf], snmp: snmp(null), sources: ["netflow"] })!,
    /sFlow.*ifIndex/,
  );
  assert.equal(
    interfacesNote({ interfaces: [itf], snmp: snmp("2026-12-07T10:00:00Z"), sources: ["snmp", "netflow"] }),
    null,
  );
  assert.match(
    interfacesNote({ interfaces: [], snmp: snmp(null), sources: ["netflow"] })!,
    /no sFlow port counters/,
  );
  assert.equal(
    interfacesNote({ interfaces: [], snmp: snmp(null), sources: ["arp_sweep"] }),
    "No interface: the device is not polled over SNMP.",
  );
});
