import assert from "node:assert/strict";
import { EventBus, type SecurityEvent } from "../events/mod.ts";
import { AlertRing, type StoredSecurityEvent } from "./alert_ring.ts";
import { sampleAnomaly } from "../../tests/helpers/sample_events.ts";

function security(mac: string, n: number): SecurityEvent {
  return {
    kind: "security",
    ts: new Date(1_700_000_000_000 + n * 1000).toISOString(),
    type: "arp_spoof",
    severity: "warning",
    mac,
    ip: `192.0.2.${n % 250}`,
    vendor: null,
    explanation: `alert ${n}`,
    evidence: { n },
    source: "capture",
  };
}

function settle(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0));
}

Deno.test("AlertRing keeps the 20 most recent security alerts of a MAC, newest first", async () => {
  const bus = new EventBus();
  const ring = new AlertRing();
  ring.attach(bus);
  try {
    const published: StoredSecurityEvent[] = [];
    for (let n = 0; n < 25; n++) {
      published.push(bus.publish(security("02:00:00:00:00:0A", n)) as StoredSecurityEvent);
      bus.publish(security("02:00:00:00:00:0b", n));
      bus.publish(sampleAnomaly(1000));
    }
    await settle();
    assert.deepEqual(ring.forMac("02:00:00:00:00:0a"), published.slice(5).reverse());
    assert.equal(ring.forMac("02:00:00:00:00:0B").length, 20);
    assert.deepEqual(ring.forMac("02:00:00:00:00:0c"), []);
    assert.equal(ring.macCount, 2);
  } finally {
    ring.detach();
  }
});

Deno.test("AlertRing forgets the MAC alerted least recently when it holds maxMacs", () => {
  const ring = new AlertRing({ perMac: 3, maxMacs: 3 });
  const mac = (i: number) => `02:00:00:00:00:${i.toString(16).padStart(2, "0")}`;
  ring.add({ ...security(mac(1), 1), id: 1 });
  ring.add({ ...security(mac(2), 2), id: 2 });
  ring.add({ ...security(mac(3), 3), id: 3 });
  ring.add({ ...security(mac(1), 4), id: 4 }); // 1 is now the most recent
  ring.add({ ...security(mac(4), 5), id: 5 }); // 2 goes
  assert.equal(ring.macCount, 3);
  assert.equal(ring.evicted, 1);
  assert.deepEqual(ring.forMac(mac(2)), []);
  assert.deepEqual(ring.forMac(mac(1)).map((e) => e.id), [4, 1]);
  for (let i = 0; i < 10_000; i++) ring.add({ ...security(mac(100 + (i % 150)), i), id: 10 + i });
  assert.equal(ring.macCount, 3, "a flood of new MACs stays within the bound");
});
