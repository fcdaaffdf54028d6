/**
 * Devices for tests that need a DeviceJson without a registry: the registry's own empty device, found
 * by an ARP sweep on 2026-01-01 and last seen a day later, with whatever the test sets on top.
 *
 * @example
 * const router = sampleDevice({ ip: "10.0.0.1", type: "router", vendor: "Cisco" });
 * const port = sampleInterface(10101, "Gi1/0/1", { in_bps: 1000 });
 */
import type { DeviceJson, InterfaceJson } from "../../src/events/mod.ts";
import { emptyDevice } from "../../src/devices/registry.ts";

/** first_seen of every sample device. */
export const SAMPLE_FIRST_SEEN = "2026-01-01T00:00:00.000Z";
/** last_seen of every sample device, unless the test sets its own. */
export const SAMPLE_LAST_SEEN = "2026-01-02T00:00:00.000Z";

/** An unclassified, unpolled device at `over.ip`, with the members of `over` replacing the defaults. */
export function sampleDevice(over: Partial<DeviceJson> & { ip: string }): DeviceJson {
  return {
    ...emptyDevice(over.ip, SAMPLE_FIRST_SEEN),
    sources: ["arp_sweep"],
    last_seen: SAMPLE_LAST_SEEN,
    ...over,
  };
}

/** An up 1 Gb/s Ethernet interface with 64-bit counters and no rates yet, with `over` on top. */
export function sampleInterface(
  index: number,
  name: string,
  over: Partial<InterfaceJson> = {},
): InterfaceJson {
  return {
    index,
    name,
    alias: "",
    type: "ethernetCsmacd",
    speed_bps: 1_000_000_000,
    oper_status: "up",
    admin_status: "up",
    in_util_pct: null,
    out_util_pct: null,
    in_bps: null,
    out_bps: null,
    in_errors_per_s: null,
    out_errors_per_s: null,
    in_discards_per_s: null,
    counters: "hc64",
    ...over,
  };
}
