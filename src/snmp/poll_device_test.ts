import assert from "node:assert/strict";
import { pollDevice } from "./poll_device.ts";
import { InterfacePoller } from "./interface_poller.ts";
import { octets, TableSession } from "../../tests/helpers/table_session.ts";
import { SnmpError } from "./snmp_types.ts";

function device(): TableSession {
  return new TableSession([
    ["1.3.6.1.2.1.1.1.0", octets("Linux fw1 6.1.0")],
    ["1.3.6.1.2.1.1.2.0", "1.3.6.1.4.1.8072.3.2.10"],
    ["1.3.6.1.2.1.1.3.0", 4200],
    ["1.3.6.1.2.1.1.5.0", octets("fw1")],
    ["1.3.6.1.2.1.2.2.1.2.1", octets("eth0")],
    ["1.3.6.1.2.1.2.2.1.3.1", 6],
    ["1.3.6.1.2.1.25.3.3.1.2.1", 40],
    ["1.3.6.1.2.1.4.22.1.2.1.192.0.2.7", new Uint8Array([2, 0, 0, 0, 0, 7])],
    ["1.3.6.1.2.1.4.22.1.4.1.192.0.2.7", 3],
  ]);
}

Deno.test("pollDevice() composes the system group, interfaces, host resources and the ARP table", async () => {
  const poll = await pollDevice(device(), { interfaces: new InterfacePoller() }, 0);
  assert.equal(poll.system.sysName, "fw1");
  assert.equal(poll.system.sysUpTimeCs, 4200);
  assert.deepEqual(poll.interfaces.map((i) => [i.index, i.name, i.type]), [[1, "eth0", "ethernetCsmacd"]]);
  assert.equal(poll.cpuPct, 40);
  assert.equal(poll.memoryPct, null);
  assert.deepEqual(poll.arp, [{
    device: "192.0.2.10",
    ifIndex: 1,
    ip: "192.0.2.7",
    mac: "02:00:00:00:00:07",
    type: "dynamic",
  }]);
  assert.ok(poll.pollMs >= 0);
  assert.deepEqual(poll.warnings, []);
});

Deno.test("pollDevice() still succeeds when host resources and the ARP table fail, and says why", async () => {
  const s = device()
    .fail("1.3.6.1.2.1.25", new SnmpError("timeout", "timeout after 5 ms × 1 try"))
    .fail("1.3.6.1.2.1.4.22", new SnmpError("error", "the agent answered error-status genErr"));
  const poll = await pollDevice(s, { interfaces: new InterfacePoller() }, 0);
  assert.equal(poll.cpuPct, null);
  assert.deepEqual(poll.arp, []);
  assert.deepEqual(poll.warnings, [
    "host resources: timeout after 5 ms × 1 try",
    "ARP table: the agent answered error-status genErr",
  ]);
  assert.equal(poll.interfaces.length, 1);
});

Deno.test("pollDevice() rejects with the system group's SnmpError", async () => {
  const s = device().fail("1.3.6.1.2.1.1", new SnmpError("auth_failure", "auth failure: unknown user name"));
  await assert.rejects(pollDevice(s, { interfaces: new InterfacePoller() }, 0), {
    failure: "auth_failure",
    message: "auth failure: unknown user name",
  });
});
