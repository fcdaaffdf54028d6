/**
 * The device side in /metrics: devices by type and poll status, CPU and memory per device, and per
 * interface its state, bit rates, utilisation, errors and discards over the last poll; the poll cycle,
 * traps, ARP watching and alert delivery. Series follow the registry at each scrape (a device that
 * disappears takes its series with it).
 */
import type { DeviceJson } from "../../events/mod.ts";
import type { MetricsRegistry } from "../metrics.ts";

/** Where the values come from. */
export interface DeviceMetricsSource {
  /** Every device now. */
  devices(): readonly DeviceJson[];
  /** The daemon's counters (app/app.ts stats()): poll, traps, arp, alerts. */
  stats(): Record<string, unknown>;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => typeof v === "object" && v !== null ? v as Obj : {};
const num = (v: unknown): number | undefined => typeof v === "number" && Number.isFinite(v) ? v : undefined;

/** Registers the device, interface, trap and delivery metrics. */
export function registerDeviceMetrics(r: MetricsRegistry, src: DeviceMetricsSource): void {
  const dev = ["device", "name"];
  const ifl = ["device", "name", "interface"];
  const dirl = [...ifl, "direction"];
  const devices = r.gauge("flintnet_devices", "Devices known, by type and SNMP poll status.", [
    "type",
    "snmp_status",
  ]);
  const cpu = r.gauge("flintnet_device_cpu_percent", "Average hrProcessorLoad of the device.", dev);
  const mem = r.gauge("flintnet_device_memory_percent", "RAM in use (hrStorageRam) of the device.", dev);
  const pollMs = r.gauge("flintnet_device_poll_seconds", "Duration of the device's last SNMP poll.", dev);
  const up = r.gauge("flintnet_interface_up", "1 when ifOperStatus is up, else 0.", ifl);
  const bits = r.gauge(
    "flintnet_interface_bits_per_second",
    "Octets × 8 per second over the last poll.",
    dirl,
  );
  const util = r.gauge("flintnet_interface_utilisation_percent", "Bits per second over the speed.", dirl);
  const errors = r.gauge(
    "flintnet_interface_errors_per_second",
    "ifInErrors / ifOutErrors per second.",
    dirl,
  );
  const discards = r.gauge("flintnet_interface_in_discards_per_second", "ifInDiscards per second.", ifl);
  const cycle = r.gauge(
    "flintnet_snmp_poll_cycle_seconds",
    "Duration of the last poll of every SNMP device.",
  );
  const cycleOk = r.gauge("flintnet_snmp_poll_cycle_ok", "Devices that answered in the last poll cycle.");
  const traps = r.counter("flintnet_traps_received_total", "SNMP trap and inform datagrams received.");
  const trapDrops = r.counter("flintnet_traps_dropped_total", "Trap datagrams dropped, by reason.", [
    "reason",
  ]);
  const pollerSeconds = r.counter(
    "flintnet_poller_seconds_total",
    "Time spent in each part of the device polls (system, interfaces, host_resources, arp_table, topology).",
    ["poller"],
  );
  const pollerFailures = r.counter(
    "flintnet_poller_failures_total",
    "Parts of device polls that failed (a device not answering counts under system).",
    ["poller"],
  );
  const pending = r.gauge("flintnet_alert_outbox_pending", "Alert messages waiting to be delivered.");
  const delivered = r.counter("flintnet_alert_messages_delivered_total", "Alert messages delivered.");
  const suppressed = r.counter("flintnet_alerts_suppressed_total", "Alerts held back by the cooldown.");
  const perDevice = [cpu, mem, pollMs, up, bits, util, errors, discards, devices];

  r.collect("devices", () => {
    for (const m of perDevice) m.clear();
    const counts = new Map<string, { type: string; snmp_status: string; n: number }>();
    for (const d of src.devices()) {
      const key = `${d.type}\0${d.snmp.status}`;
      const c = counts.get(key) ?? { type: d.type, snmp_status: d.snmp.status, n: 0 };
      c.n++;
      counts.set(key, c);
      const labels = { device: d.ip, name: d.name ?? "" };
      if (d.cpu_pct !== null) cpu.set(d.cpu_pct, labels);
      if (d.memory_pct !== null) mem.set(d.memory_pct, labels);
      if (d.snmp.poll_ms !== null) pollMs.set(d.snmp.poll_ms / 1000, labels);
      for (const i of d.interfaces) {
        const il = { ...labels, interface: i.name || String(i.index) };
        up.set(i.oper_status === "up" ? 1 : 0, il);
        const pairs: [typeof bits, number | null, string][] = [
          [bits, i.in_bps, "in"],
          [bits, i.out_bps, "out"],
          [util, i.in_util_pct, "in"],
          [util, i.out_util_pct, "out"],
          [errors, i.in_errors_per_s, "in"],
          [errors, i.out_errors_per_s, "out"],
        ];
        for (const [m, v, direction] of pairs) if (v !== null) m.set(v, { ...il, direction });
        if (i.in_discards_per_s !== null) discards.set(i.in_discards_per_s, il);
      }
    }
    for (const c of counts.values()) devices.set(c.n, { type: c.type, snmp_status: c.snmp_status });
  });
  r.collect("snmp_poll", () => {
    const s = src.stats();
    const poll = obj(s.poll);
    const ms = num(poll.duration_ms), ok = num(poll.ok);
    if (ms !== undefined) cycle.set(ms / 1000);
    if (ok !== undefined) cycleOk.set(ok);
  });
  r.collect("pollers", () => {
    const list = src.stats().pollers;
    for (const raw of Array.isArray(list) ? list : []) {
      const p = obj(raw), name = typeof p.name === "string" ? p.name : null;
      const seconds = num(p.seconds_total), failures = num(p.failures);
      if (name === null) continue;
      if (seconds !== undefined) pollerSeconds.set(seconds, { poller: name });
      if (failures !== undefined) pollerFailures.set(failures, { poller: name });
    }
  });
  r.collect("traps", () => {
    const s = src.stats();
    const t = obj(s.traps);
    const received = num(t.received);
    if (received !== undefined) traps.set(received);
    for (const [reason, v] of Object.entries(obj(t.dropped))) {
      const n = num(v);
      if (n !== undefined) trapDrops.set(n, { reason });
    }
  });
  r.collect("alert_delivery", () => {
    const s = src.stats();
    const d = obj(obj(s.alerts).delivery), o = obj(d.outbox);
    const values: [{ set(v: number): void }, unknown][] = [
      [pending, o.pending],
      [delivered, o.delivered],
      [suppressed, d.suppressed],
    ];
    for (const [m, v] of values) {
      const n = num(v);
      if (n !== undefined) m.set(n);
    }
  });
}
