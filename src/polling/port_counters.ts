/**
 * Interfaces from counters a device pushes instead of being polled: sFlow agents send each port's IF-MIB
 * counters every 20–30 s (counter samples, src/netflow/sflow_counters.ts). The book keeps each port's last
 * sample and turns two samples into the same InterfaceJson rates an SNMP poll gives (counter_rates.ts).
 *
 * Time is the agent's own clock (the datagram's uptime), not the arrival time: it is when the agent read
 * its counters, so network delay does not bend the rates, and an uptime that went back is an agent restart
 * (no rate for that interval). sFlow carries no interface names: a port is named by its ifIndex.
 *
 * Bounded: at most `perDevice` ports a device (the first met; the registry shows no more than that a device
 * either), and `maxPorts` over all devices, past which the device updated longest ago is forgotten: a flood
 * of forged exporters or ifIndexes costs memory only up to the bounds.
 */
import type { InterfaceJson, PortCounters } from "../events/mod.ts";
import { type CounterSample, interfaceRates } from "./counter_rates.ts";
import { ifTypeName } from "./interface_poller.ts";

/** Ports kept over all devices by default. */
export const DEFAULT_MAX_PORTS = 65_536;
/** Ports kept a device by default: the registry's interfaces per device. */
export const DEFAULT_PORTS_PER_DEVICE = 16_384;
/**
 * Two samples of a port closer than this on the agent's clock are one reading sent twice (an agent that
 * repeats a sample, two sub-agents): the second is not a new interval.
 */
const MIN_INTERVAL_MS = 500;

interface Port {
  sample: CounterSample;
  json: InterfaceJson;
}

/** The last sample and interface of every port, per device. */
export class PortCounterBook {
  readonly #maxPorts: number;
  readonly #perDevice: number;
  /** Device → its ports by ifIndex; the Map's order is the order devices were last updated. */
  readonly #devices = new Map<string, Map<number, Port>>();
  #ports = 0;

  constructor(o: { maxPorts?: number; perDevice?: number } = {}) {
    this.#maxPorts = Math.max(1, o.maxPorts ?? DEFAULT_MAX_PORTS);
    this.#perDevice = Math.max(1, o.perDevice ?? DEFAULT_PORTS_PER_DEVICE);
  }

  /** Ports held, over all devices. */
  get size(): number {
    return this.#ports;
  }

  /**
   * Takes one port's counters; returns its interface as it now is (rates null on the port's first sample,
   * after an agent restart, or across a counter reset), or null for a repeat of the last sample and for a
   * new port of a device that has `perDevice` already.
   */
  add(c: PortCounters): InterfaceJson | null {
    let ports = this.#devices.get(c.exporter);
    if (ports) {
      this.#devices.delete(c.exporter); // re-inserted below: the most recently updated last
    } else ports = new Map();
    this.#devices.set(c.exporter, ports);
    const prev = ports.get(c.ifIndex);
    if (prev && Math.abs(c.uptimeMs - prev.sample.atMs) < MIN_INTERVAL_MS) return null;
    if (!prev && ports.size >= this.#perDevice) return null;
    const sample: CounterSample = {
      atMs: c.uptimeMs,
      sysUpTimeCs: Math.floor(c.uptimeMs / 10),
      hcInOctets: c.inOctets,
      hcOutOctets: c.outOctets,
      inOctets: null,
      outOctets: null,
      inErrors: c.inErrors,
      outErrors: c.outErrors,
      inDiscards: c.inDiscards,
    };
    const json: InterfaceJson = {
      index: c.ifIndex,
      name: `ifIndex ${c.ifIndex}`,
      alias: "",
      type: ifTypeName(c.ifType),
      speed_bps: c.speedBps,
      oper_status: c.operUp ? "up" : "down",
      admin_status: c.adminUp ? "up" : "down",
      ...interfaceRates(prev?.sample, sample, c.speedBps),
    };
    ports.set(c.ifIndex, { sample, json });
    if (!prev) {
      this.#ports++;
      this.#evict(c.exporter);
    }
    return json;
  }

  /** Every port of `exporter` the book holds, by ifIndex. */
  interfaces(exporter: string): InterfaceJson[] {
    const ports = this.#devices.get(exporter);
    if (!ports) return [];
    return [...ports.values()].map((p) => p.json).sort((a, b) => a.index - b.index);
  }

  /** Forgets `exporter`'s ports (another source describes its interfaces now). */
  forget(exporter: string): void {
    const ports = this.#devices.get(exporter);
    if (!ports) return;
    this.#ports -= ports.size;
    this.#devices.delete(exporter);
  }

  /** Past the bound: the devices updated longest ago go, never `keep` (the one being updated, last in order). */
  #evict(keep: string): void {
    for (const [exporter, ports] of this.#devices) {
      if (this.#ports <= this.#maxPorts || exporter === keep) return;
      this.#ports -= ports.size;
      this.#devices.delete(exporter);
    }
  }
}
