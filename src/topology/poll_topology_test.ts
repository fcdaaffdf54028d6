/**
 * The topology readers over an in-memory agent holding the varbinds the test writes: an lldpd agent as
 * `snmpwalk 1.0.8802.1.1.2` shows it (MAC port IDs, the interface name as description), an LLDP-V2-MIB
 * agent, a Catalyst's cdpCacheTable, and Q-BRIDGE/BRIDGE forwarding tables. Real agents are in
 * tests/topology_snmp_test.ts; here each value is one the test wrote.
 */
import assert from "node:assert/strict";
import { TablePresence } from "../snmp/table_presence.ts";
import { SnmpError, type SnmpValue } from "../snmp/snmp_types.ts";
import { octets, TableSession } from "../../tests/helpers/table_session.ts";
import { sampleInterface as itf } from "../../tests/helpers/sample_devices.ts";
import { createTopologyPollState, pollTopology } from "./poll_topology.ts";

const mac = (hex: string) => Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));

/** lldpd on node1 (fntpx1a, ifIndex 2) hearing node2, as walked from a real lldpd -x. */
const LLDPD: [string, SnmpValue][] = [
  ["1.0.8802.1.1.2.1.3.1.0", 4], // lldpLocChassisIdSubtype macAddress
  ["1.0.8802.1.1.2.1.3.2.0", mac("3ee5fcc0a903")], // lldpLocChassisId
  ["1.0.8802.1.1.2.1.3.3.0", octets("tpnode1")], // lldpLocSysName
  ["1.0.8802.1.1.2.1.3.7.1.2.2", 3], // lldpLocPortIdSubtype.2 macAddress
  ["1.0.8802.1.1.2.1.3.7.1.3.2", mac("3ee5fcc0a903")], // lldpLocPortId.2
  ["1.0.8802.1.1.2.1.3.7.1.4.2", octets("fntpx1a")], // lldpLocPortDesc.2
  ["1.0.8802.1.1.2.1.4.1.1.4.300.2.1", 4], // lldpRemChassisIdSubtype macAddress
  ["1.0.8802.1.1.2.1.4.1.1.5.300.2.1", mac("7e642b391bba")], // lldpRemChassisId
  ["1.0.8802.1.1.2.1.4.1.1.6.300.2.1", 3], // lldpRemPortIdSubtype macAddress
  ["1.0.8802.1.1.2.1.4.1.1.7.300.2.1", mac("7e642b391bba")], // lldpRemPortId
  ["1.0.8802.1.1.2.1.4.1.1.8.300.2.1", octets("fntpx2a")], // lldpRemPortDesc
  ["1.0.8802.1.1.2.1.4.1.1.9.300.2.1", octets("tpnode2")], // lldpRemSysName
  ["1.0.8802.1.1.2.1.4.1.1.10.300.2.1", octets("Debian GNU/Linux 12 (bookworm)")], // lldpRemSysDesc
  ["1.0.8802.1.1.2.1.4.1.1.11.300.2.1", mac("39")], // lldpRemSysCapSupported: bridge wlan router station
  ["1.0.8802.1.1.2.1.4.1.1.12.300.2.1", mac("01")], // lldpRemSysCapEnabled: stationOnly (bit 7)
  ["1.0.8802.1.1.2.1.4.2.1.3.300.2.1.1.4.10.231.100.2", 2], // lldpRemManAddrIfSubtype, IPv4 10.231.100.2
  ["1.0.8802.1.1.2.1.4.2.1.3.300.2.1.2.16.254.128.0.0.0.0.0.0.124.100.43.255.254.57.27.186", 2], // fe80::7c64:2bff:fe39:1bba
];

Deno.test("pollTopology() reads lldpd's LLDP-MIB: local port by name, remote by chassis, addresses from the index", async () => {
  const s = new TableSession(LLDPD);
  const poll = await pollTopology(s, [itf(1, "lo"), itf(2, "fntpx1a")], new TablePresence());
  assert.deepEqual(poll, {
    chassisIds: ["mac:3e:e5:fc:c0:a9:03"],
    names: ["tpnode1"],
    reports: [{
      protocol: "lldp",
      localPort: { ifIndex: 2, name: "fntpx1a", aliases: ["fntpx1a", "3e:e5:fc:c0:a9:03"] },
      remote: {
        chassisId: "mac:7e:64:2b:39:1b:ba",
        name: "tpnode2",
        platform: "Debian GNU/Linux 12 (bookworm)",
        capabilities: ["station_only"],
        addresses: ["10.231.100.2", "fe80::7c64:2bff:fe39:1bba"],
        macs: ["7e:64:2b:39:1b:ba"],
        port: { ifIndex: null, name: "fntpx2a", aliases: ["fntpx2a", "7e:64:2b:39:1b:ba"] },
      },
    }],
    fdb: null,
  });
});

Deno.test("pollTopology() reads LLDP-V2-MIB when LLDP-MIB has no neighbours; its port numbers are ifIndexes", async () => {
  const V2 = "1.3.111.2.802.1.1.13.1";
  const s = new TableSession([
    [`${V2}.3.7.1.2.10`, 5], // lldpV2LocPortIdSubtype.10 interfaceName
    [`${V2}.3.7.1.3.10`, octets("xe-0/0/1")],
    // lldpV2RemEntry index: timeMark 0, ifIndex 10, dest MAC index 1, remIndex 3
    [`${V2}.4.1.1.5.0.10.1.3`, 7], // chassis subtype local
    [`${V2}.4.1.1.6.0.10.1.3`, octets("JN11F2A3BAFC")],
    [`${V2}.4.1.1.7.0.10.1.3`, 5], // port subtype interfaceName
    [`${V2}.4.1.1.8.0.10.1.3`, octets("ge-0/0/47")],
    [`${V2}.4.1.1.10.0.10.1.3`, octets("ex2300-closet")],
    [`${V2}.4.1.1.13.0.10.1.3`, mac("2800")], // bridge (bit 2) + router (bit 4)
  ]);
  const poll = await pollTopology(s, [itf(10, "xe-0/0/1")], new TablePresence());
  assert.equal(poll.reports.length, 1);
  const [r] = poll.reports;
  assert.deepEqual(r.localPort, { ifIndex: 10, name: "xe-0/0/1", aliases: ["xe-0/0/1"] });
  assert.deepEqual(
    [r.remote.chassisId, r.remote.name, r.remote.port.name, r.remote.capabilities],
    ["local:JN11F2A3BAFC", "ex2300-closet", "ge-0/0/47", ["bridge", "router"]],
  );
});

Deno.test("pollTopology() reads a Catalyst's cdpCacheTable and its own device ID", async () => {
  const CDP = "1.3.6.1.4.1.9.9.23.1.2.1.1";
  const s = new TableSession([
    [`${CDP}.3.10101.1`, 1], // cdpCacheAddressType ip
    [`${CDP}.4.10101.1`, Uint8Array.of(10, 20, 0, 1)], // cdpCacheAddress 10.20.0.1
    [`${CDP}.6.10101.1`, octets("rtr-edge.example.net")], // cdpCacheDeviceId
    [`${CDP}.7.10101.1`, octets("GigabitEthernet0/0/1")], // cdpCacheDevicePort
    [`${CDP}.8.10101.1`, octets("cisco ISR4331/K9")], // cdpCachePlatform
    [`${CDP}.9.10101.1`, Uint8Array.of(0, 0, 0, 0x29)], // router + switch + IGMP
    ["1.3.6.1.4.1.9.9.23.1.3.4.0", octets("sw-c2960x.example.net")], // cdpGlobalDeviceId
  ]);
  const poll = await pollTopology(s, [itf(10101, "Gi1/0/1")], new TablePresence());
  assert.deepEqual(poll.names, ["sw-c2960x.example.net"]);
  assert.deepEqual(poll.reports, [{
    protocol: "cdp",
    localPort: { ifIndex: 10101, name: "Gi1/0/1", aliases: ["Gi1/0/1"] },
    remote: {
      chassisId: null,
      name: "rtr-edge.example.net",
      platform: "cisco ISR4331/K9",
      capabilities: ["router", "switch", "igmp"],
      addresses: ["10.20.0.1"],
      macs: [],
      port: { ifIndex: null, name: "GigabitEthernet0/0/1", aliases: ["GigabitEthernet0/0/1"] },
    },
  }]);
});

Deno.test("pollTopology() reads the forwarding table: learned entries only, bridge ports as ifIndexes", async () => {
  const s = new TableSession([
    ["1.3.6.1.2.1.17.1.4.1.2.1", 10001], // dot1dBasePortIfIndex.1
    ["1.3.6.1.2.1.17.1.4.1.2.2", 10002],
    // dot1qTpFdbPort / Status, index FDB 1 . MAC
    ["1.3.6.1.2.1.17.7.1.2.2.1.2.1.0.17.34.51.68.85", 2], // 00:11:22:33:44:55 on port 2
    ["1.3.6.1.2.1.17.7.1.2.2.1.2.1.0.17.34.51.68.86", 1],
    ["1.3.6.1.2.1.17.7.1.2.2.1.2.1.0.167.66.10.0.1", 0], // the switch itself, port 0
    ["1.3.6.1.2.1.17.7.1.2.2.1.3.1.0.17.34.51.68.85", 3], // learned
    ["1.3.6.1.2.1.17.7.1.2.2.1.3.1.0.17.34.51.68.86", 2], // invalid
    ["1.3.6.1.2.1.17.7.1.2.2.1.3.1.0.167.66.10.0.1", 4], // self
  ]);
  const poll = await pollTopology(s, [], new TablePresence());
  assert.deepEqual(poll.fdb, [{ mac: "00:11:22:33:44:55", ifIndex: 10002 }]);
  assert.deepEqual(poll.reports, []);
});

Deno.test("an agent without any topology table costs no request on the polls between rechecks", async () => {
  const s = new TableSession([["1.3.6.1.2.1.1.5.0", octets("printer")]]);
  const tables = new TablePresence(10);
  const state = createTopologyPollState();
  const requests: number[] = [];
  for (let poll = 0; poll < 11; poll++) {
    tables.beginPoll();
    const before = s.requests;
    const p = await pollTopology(s, [], tables, state);
    assert.deepEqual(p, { chassisIds: [], names: [], reports: [], fdb: null });
    requests.push(s.requests - before);
  }
  assert.deepEqual(
    requests,
    [5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5],
    "LLDP, LLDP-V2, CDP, Q-BRIDGE, BRIDGE: once, then every 10th poll",
  );
});

Deno.test("a failed LLDP read rejects (no aging on half an answer); a failed forwarding-table read is null", async () => {
  const lldpFails = new TableSession(LLDPD).fail(
    "1.0.8802.1.1.2.1.4.1.1",
    new SnmpError("timeout", "timeout"),
  );
  await assert.rejects(pollTopology(lldpFails, [], new TablePresence()), { message: "timeout" });
  const fdbFails = new TableSession(LLDPD).fail("1.3.6.1.2.1.17", new SnmpError("timeout", "timeout"));
  const p = await pollTopology(fdbFails, [itf(2, "fntpx1a")], new TablePresence());
  assert.equal(p.reports.length, 1);
  assert.equal(p.fdb, null);
});

Deno.test("pollTopology() reads BRIDGE-MIB dot1dTpFdbTable when the agent has no Q-BRIDGE table", async () => {
  const s = new TableSession([
    ["1.3.6.1.2.1.17.4.3.1.2.0.27.169.0.0.34", 7], // dot1dTpFdbPort 00:1b:a9:00:00:22 on bridge port 7
    ["1.3.6.1.2.1.17.4.3.1.3.0.27.169.0.0.34", 3], // learned
  ]);
  const poll = await pollTopology(s, [], new TablePresence());
  assert.deepEqual(
    poll.fdb,
    [{ mac: "00:1b:a9:00:00:22", ifIndex: 7 }],
    "without dot1dBasePortTable, port = ifIndex",
  );
});
