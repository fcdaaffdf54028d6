import assert from "node:assert/strict";
import type { DeviceJson } from "../../events/mod.ts";
import { MetricsRegistry } from "../metrics.ts";
import { registerDeviceMetrics } from "./device_metrics.ts";
import { sampleDevice } from "../../../tests/helpers/sample_devices.ts";

/** A switch that answers SNMP; `over` changes any member. */
function device(ip: string, over: Partial<DeviceJson> = {}): DeviceJson {
  return sampleDevice({
    ip,
    name: "sw1",
    type: "switch",
    type_rule: "bridge-mib",
    uptime_s: 10,
    snmp: { status: "ok", last_success: null, last_error: null, poll_ms: 250 },
    cpu_pct: 12.5,
    sources: ["snmp"],
    ...over,
  });
}

/** The value of one series in the exposition text. */
function value(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

Deno.test("registerDeviceMetrics() exposes devices, interfaces and traps, and drops series of devices that left", () => {
  let devices = [
    device("192.0.2.1", {
      interfaces: [{
        index: 3,
        name: "Gi0/3",
        alias: "",
        type: "ethernetCsmacd",
        speed_bps: 1e9,
        oper_status: "down",
        admin_status: "up",
        in_util_pct: 2.5,
        out_util_pct: null,
        in_bps: 25_000_000,
        out_bps: null,
        in_errors_per_s: 0.5,
        out_errors_per_s: null,
        in_discards_per_s: 0,
        counters: "hc64",
      }],
    }),
    device("192.0.2.2", {
      type: "unknown",
      snmp: { status: "no_response", last_success: null, last_error: "x", poll_ms: null },
      cpu_pct: null,
    }),
  ];
  const r = new MetricsRegistry();
  registerDeviceMetrics(r, {
    devices: () => devices,
    stats: () => ({ traps: { received: 7, dropped: { community: 2 } }, poll: { duration_ms: 1500, ok: 1 } }),
  });
  const text = r.render();
  const il = 'device="192.0.2.1",name="sw1",interface="Gi0/3"';
  assert.equal(value(text, 'flintnet_devices{type="switch",snmp_status="ok"}'), 1);
  assert.equal(value(text, 'flintnet_devices{type="unknown",snmp_status="no_response"}'), 1);
  assert.equal(value(text, 'flintnet_device_cpu_percent{device="192.0.2.1",name="sw1"}'), 12.5);
  assert.equal(value(text, 'flintnet_device_poll_seconds{device="192.0.2.1",name="sw1"}'), 0.25);
  assert.equal(value(text, `flintnet_interface_up{${il}}`), 0);
  assert.equal(value(text, `flintnet_interface_bits_per_second{${il},direction="in"}`), 25_000_000);
  assert.equal(value(text, `flintnet_interface_bits_per_second{${il},direction="out"}`), undefined);
  assert.equal(value(text, `flintnet_interface_utilisation_percent{${il},direction="in"}`), 2.5);
  assert.equal(value(text, `flintnet_interface_errors_per_second{${il},direction="in"}`), 0.5);
  assert.equal(value(text, "flintnet_traps_received_total"), 7);
  assert.equal(value(text, 'flintnet_traps_dropped_total{reason="community"}'), 2);
  assert.equal(value(text, "flintnet_snmp_poll_cycle_seconds"), 1.5);
  devices = [];
  const after = r.render();
  assert.equal(value(after, `flintnet_interface_up{${il}}`), undefined);
  assert.equal(value(after, 'flintnet_devices{type="switch",snmp_status="ok"}'), undefined);
});
