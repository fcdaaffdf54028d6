/**
 * sFlow v5 counter samples: what a switch reads from its own ports every 20–30 s (the agent's "polling
 * interval") and sends beside its flow samples. Read here: the generic interface counters record (0:1,
 * `if_counters`, 88 octets), the IF-MIB ifTable in sFlow's words, one per port. Other counter records
 * (Ethernet errors, VLAN, processor, an OpenFlow port …) are skipped.
 *
 *   0:2 counter sample           sequence, source id, record count, counter records
 *   0:4 expanded counter sample  sequence, source id type, source id index, record count, counter records
 *   0:1 if_counters              ifIndex, ifType, ifSpeed (64), ifDirection, ifStatus (bit 0 admin up,
 *                                bit 1 oper up), ifInOctets (64), ifInUcastPkts, ifInMulticastPkts,
 *                                ifInBroadcastPkts, ifInDiscards, ifInErrors, ifInUnknownProtos,
 *                                ifOutOctets (64), ifOutUcastPkts, ifOutMulticastPkts, ifOutBroadcastPkts,
 *                                ifOutDiscards, ifOutErrors, ifPromiscuousMode
 *
 * A counter the agent does not have is sent as all ones (2^32 − 1, 2^64 − 1): read as null, as IF-MIB's
 * absent objects are. The counters are absolute; rates come from two samples (polling/counter_rates.ts).
 */
import type { PortCounters } from "../events/mod.ts";
import { u32 } from "../net/mod.ts";

/** Standard (enterprise 0) counter sample formats and the record read. */
export const COUNTER_SAMPLE = 2, EXPANDED_COUNTER_SAMPLE = 4;
const IF_COUNTERS = 1, IF_COUNTERS_LENGTH = 88;
const ALL_ONES_32 = 0xffffffff;
const ALL_ONES_64 = 0xffffffffffffffffn;

/** What a port's counters take from their datagram: the exporter and the agent's uptime. */
export type CountersDatagram = Pick<PortCounters, "exporter" | "uptimeMs">;

/** Where the interface counters a counter sample holds go. */
export interface InterfaceCountersSink {
  interfaceCounters(c: PortCounters): void;
}

/**
 * Reads the counter sample `b[p, end)` (`expanded`: format 0:4), handing `sink` each generic interface
 * counters record; `exporter` and `uptimeMs` are the datagram's. False when its records run
 * past it (nothing after the record that does is read).
 */
export function readCounterSample(
  b: Uint8Array,
  p: number,
  end: number,
  expanded: boolean,
  datagram: CountersDatagram,
  sink: InterfaceCountersSink,
): boolean {
  const fixed = expanded ? 16 : 12;
  if (p + fixed > end) return false;
  const records = u32(b, p + fixed - 4);
  let q = p + fixed;
  for (let i = 0; i < records; i++) {
    if (q + 8 > end) return false;
    const format = u32(b, q), length = u32(b, q + 4), body = q + 8;
    if (length > end - body) return false;
    q = body + length;
    if (format === IF_COUNTERS && length >= IF_COUNTERS_LENGTH) {
      sink.interfaceCounters(ifCounters(b, body, datagram));
    }
  }
  return true;
}

function ifCounters(
  b: Uint8Array,
  p: number,
  d: CountersDatagram,
): PortCounters {
  const status = u32(b, p + 20);
  const speed = u64(b, p + 8);
  return {
    exporter: d.exporter,
    uptimeMs: d.uptimeMs,
    ifIndex: u32(b, p),
    ifType: u32(b, p + 4),
    speedBps: speed === 0n || speed === ALL_ONES_64 ? null : Number(speed),
    adminUp: (status & 1) !== 0,
    operUp: (status & 2) !== 0,
    inOctets: counter64(b, p + 24),
    outOctets: counter64(b, p + 56),
    inErrors: counter32(b, p + 48),
    outErrors: counter32(b, p + 80),
    inDiscards: counter32(b, p + 44),
  };
}

function u64(b: Uint8Array, o: number): bigint {
  return (BigInt(u32(b, o)) << 32n) | BigInt(u32(b, o + 4));
}

function counter64(b: Uint8Array, o: number): bigint | null {
  const v = u64(b, o);
  return v === ALL_ONES_64 ? null : v;
}

function counter32(b: Uint8Array, o: number): number | null {
  const v = u32(b, o);
  return v === ALL_ONES_32 ? null : v;
}
