import assert from "node:assert/strict";
import { interfacesNote } from "./device_detail.ts";

const itf = {
  index: 3,
  name: "ifIndex 3",
  alias: "",
  type: "ethernetCsmacd",
  speed_bps: 1e9,
  oper_status: "up" as const,
  admin_status: "up" as const,
  in_util_pct: null,
  out_util_pct: null,
  in_bps: null,
  out_bps: null,
  in_errors_per_s: null,
  out_errors_per_s: null,
  in_discards_per_s: null,
  counters: "hc64" as const,
};
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
