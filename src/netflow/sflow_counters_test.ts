/**
 * sFlow v5 counter samples through the collector, from hand-written datagrams: each port's generic interface
 * counters are handed on with the values written into the record, the datagram's uptime and arrival, and
 * the exporter; other counter records are skipped; all-ones counters and a zero speed are "not known".
 */
import assert from "node:assert/strict";
import {
  sflowCounterSample as counterSample,
  sflowDatagram as datagram,
  type SflowIfCounters,
  sflowIfCounters as ifCounters,
  sflowItem as item,
  TestCollector,
  u32,
} from "../../tests/helpers/netflow_datagrams.ts";
import type { PortCounters } from "../events/mod.ts";

const port3: SflowIfCounters = {
  ifIndex: 3,
  ifType: 6,
  speed: 1_000_000_000,
  status: 3, // admin up, oper up
  inOctets: 2 ** 40 + 12_345, // past 32 bits: the 64-bit counter is read whole
  inDiscards: 7,
  inErrors: 11,
  outOctets: 987_654_321,
  outErrors: 13,
};

function collector(opts: ConstructorParameters<typeof TestCollector>[0] = {}) {
  const got: PortCounters[] = [];
  const c = new TestCollector({ ...opts, onInterfaceCounters: (k) => void got.push(k) });
  return { c, got };
}

Deno.test("sFlow counters: a port's generic interface counters are handed on as written", () => {
  const { c, got } = collector();
  const ethernetCounters = item(2, new Array(52).fill(0)); // 0:2, Ethernet errors: skipped
  c.feed(
    datagram(1, [counterSample([ethernetCounters, ifCounters(port3)])], { uptimeMs: 86_400_123 }),
    "192.0.2.1",
    1_700_000_000_000,
  );
  assert.deepEqual(got, [{
    exporter: "192.0.2.1", // the UDP source, as for flow samples (not the agent address inside)
    uptimeMs: 86_400_123,
    ifIndex: 3,
    ifType: 6,
    speedBps: 1_000_000_000,
    adminUp: true,
    operUp: true,
    inOctets: BigInt(2 ** 40 + 12_345),
    outOctets: 987_654_321n,
    inErrors: 11,
    outErrors: 13,
    inDiscards: 7,
  }]);
  const s = c.stats();
  assert.deepEqual([s.interface_counters, s.other_records, s.records, s.malformed], [1, 1, 0, 0]);
  assert.equal(s.exporters["192.0.2.1"].interface_counters, 1);
});

Deno.test("sFlow counters: expanded samples, several ports, admin and oper state, unknown values", () => {
  const { c, got } = collector();
  const down = { ...port3, ifIndex: 4, status: 1 }; // admin up, oper down
  const unknown = ifCounters({ ...port3, ifIndex: 5, status: 0, speed: 0 /* not known */ });
  unknown.fill(0xff, 8 + 24, 8 + 32); // ifInOctets all ones: not available
  unknown.fill(0xff, 8 + 48, 8 + 52); // ifInErrors
  c.feed(datagram(2, [counterSample([ifCounters(down), unknown], { expanded: true })]));
  assert.deepEqual(
    got.map((k) => [k.ifIndex, k.adminUp, k.operUp, k.speedBps, k.inOctets, k.inErrors, k.outOctets]),
    [
      [4, true, false, 1_000_000_000, BigInt(2 ** 40 + 12_345), 11, 987_654_321n],
      [5, false, false, null, null, null, 987_654_321n],
    ],
  );
});

Deno.test("sFlow counters: a record shorter than if_counters is skipped; one past its sample ends the datagram", () => {
  const { c, got } = collector();
  const short = item(1, ifCounters(port3).slice(8, 8 + 84)); // format 0:1 with 84 octets
  c.feed(datagram(1, [counterSample([short])]));
  assert.equal(got.length, 0);
  assert.equal(c.stats().malformed, 0);
  const full = counterSample([ifCounters(port3)]);
  const lying = [...full.slice(0, 8 + 12), ...u32(1), ...u32(200), ...full.slice(8 + 12 + 8)]; // length 200
  c.feed(datagram(2, [lying]));
  assert.equal(got.length, 0);
  const s = c.stats();
  assert.deepEqual([s.malformed, s.malformed_by_reason.record_overrun], [1, 1]);
});

Deno.test("sFlow counters: more in a tick than the collector hands on are dropped and counted", () => {
  const { c, got } = collector({ limits: { interfaceCountersPerTick: 2 } });
  const three = [3, 4, 5].map((ifIndex) => ifCounters({ ...port3, ifIndex }));
  c.feed(datagram(1, [counterSample(three)]));
  assert.deepEqual(got.map((k) => k.ifIndex), [3, 4]);
  assert.equal(c.stats().interface_counters_dropped, 1);
  c.c.tick(1_700_000_001_000); // a second later: two more
  c.feed(datagram(2, [counterSample(three)]));
  assert.deepEqual(got.map((k) => k.ifIndex), [3, 4, 3, 4]);
  const s = c.stats();
  assert.deepEqual([s.interface_counters, s.interface_counters_dropped], [4, 2]);
});
