/**
 * ARP security from polled ARP tables: a real snmpd inside a network namespace serves the kernel's
 * neighbour table (set with `ip neigh`), the daemon's Inventory polls it as it polls any device, and the
 * ARP watcher reports what the table shows: a MAC that took over another host's address.
 */
import assert from "node:assert/strict";
import { ArpSecurityDetector } from "../src/detect/arp_security.ts";
import { ArpHistory } from "../src/devices/arp_history.ts";
import { Inventory } from "../src/devices/inventory.ts";
import { DeviceRegistry } from "../src/devices/registry.ts";
import { EventBus, type SecurityEvent } from "../src/events/mod.ts";
import { CredentialTable } from "../src/snmp/credentials.ts";
import { createVethPair, netnsUnavailable, vethNames } from "./helpers/netns.ts";
import { snmpdUnavailable, startSnmpd } from "./helpers/snmpd.ts";

const CI = Deno.env.get("CI") === "true";
const missing = (await snmpdUnavailable()) ?? (await netnsUnavailable());
const COMMUNITY = "arp-t4ble";
const VICTIM = { ip: "10.231.45.10", mac: "02:00:0a:e7:2d:0a" };
const OTHER = { ip: "10.231.45.11", mac: "02:00:0a:e7:2d:0b" };

Deno.test({
  name:
    "a MAC taking over an address in a router's ARP table (read over SNMP) is one arp_spoof naming both MACs",
  ignore: missing !== null && !CI,
  async fn() {
    if (missing) throw new Error(missing);
    const pair = await createVethPair({
      ...vethNames("arpsnmp"),
      hostAddr: "10.231.45.1/24",
      nsAddr: "10.231.45.2/24",
    });
    const dir = await Deno.makeTempDir({ prefix: "flintnet-arpsnmp-" });
    const bus = new EventBus();
    const events: SecurityEvent[] = [];
    const arp = new ArpSecurityDetector({
      history: new ArpHistory(),
      publish: (e) => e.kind === "security" && events.push(e),
      learningPeriodS: 3600,
    });
    const registry = new DeviceRegistry({ path: `${dir}/devices.json`, publish: (e) => bus.publish(e) });
    const inventory = new Inventory({
      registry,
      bus,
      credentials: new CredentialTable({
        defaultCredentials: { version: "v2c", community: COMMUNITY },
        rules: [],
      }),
      snmp: { port: 1161, timeoutMs: 1000, retries: 1 },
      concurrency: 1,
      servicePorts: () => new Map(),
      onArpTable: (entries, atMs) => arp.observeArpTable(entries, atMs),
    });
    const config = `rocommunity ${COMMUNITY} 10.231.45.0/24\nsysname arp-router\n`;
    // snmpd caches its ARP table for a while: each state of the table gets an agent of its own.
    const pollWith = async (neighbours: { ip: string; mac: string }[]) => {
      for (const n of neighbours) {
        await pair.exec([
          "ip",
          "neigh",
          "replace",
          n.ip,
          "lladdr",
          n.mac,
          "dev",
          pair.nsIf,
          "nud",
          "permanent",
        ]);
      }
      const agent = await startSnmpd({ address: pair.nsIp, port: 1161, netns: pair.ns, config });
      try {
        assert.equal(await inventory.pollOne(pair.nsIp), true, agent.output());
      } finally {
        await agent.stop();
      }
    };
    try {
      registry.observe({ ip: pair.nsIp, source: "snmp" });
      await pollWith([VICTIM, OTHER]);
      await pollWith([VICTIM, OTHER]);
      assert.equal(events.length, 0, "a stable table during the learning period says nothing");
      // OTHER's MAC now answers for VICTIM's address too.
      await pollWith([{ ip: VICTIM.ip, mac: OTHER.mac }, OTHER]);
      // One incident, one event: the MAC claims two addresses, one of them also VICTIM's.
      assert.deepEqual(events.map((e) => e.type), ["arp_spoof"]);
      const [spoof] = events;
      assert.equal(spoof.source, "snmp");
      assert.equal(spoof.mac, OTHER.mac);
      assert.equal(spoof.ip, VICTIM.ip);
      assert.equal(spoof.evidence.polled_device, pair.nsIp);
      const ips = spoof.evidence.ips as { ip: string; also_claimed_by: { mac: string }[] }[];
      assert.deepEqual(ips.map((x) => x.ip).sort(), [OTHER.ip, VICTIM.ip].sort());
      assert.deepEqual(ips.find((x) => x.ip === VICTIM.ip)!.also_claimed_by.map((p) => p.mac), [VICTIM.mac]);
      assert.ok(
        spoof.explanation.includes(VICTIM.mac) && spoof.explanation.includes(OTHER.mac),
        spoof.explanation,
      );
      // The neighbours became devices, with the MAC the table now gives.
      assert.equal(registry.get(VICTIM.ip)?.mac, OTHER.mac);
      assert.ok(registry.get(OTHER.ip)?.sources.includes("arp_table"));
    } finally {
      await registry.stop();
      await pair.destroy();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
