import assert from "node:assert/strict";
import { classify, type DeviceFacts } from "./classify.ts";
import type { SystemInfo } from "../snmp/snmp_types.ts";

function sys(sysDescr: string, sysObjectId: string, sysServices?: number): SystemInfo {
  return { sysDescr, sysObjectId, sysName: "dev", sysServices, sysUpTimeCs: 1 };
}

const ISR =
  "Cisco IOS Software [Fuji], ISR Software (X86_64_LINUX_IOSD-UNIVERSALK9-M), Version 16.9.4, RELEASE SOFTWARE (fc2)";
const C9300 =
  "Cisco IOS Software [Gibraltar], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 16.12.4, RELEASE SOFTWARE (fc5)";
const LINUX = "Linux host 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01) x86_64";

Deno.test("classify() calls a Cisco IOS box with ipForwarding a router", () => {
  const c = classify({ system: sys(ISR, "1.3.6.1.4.1.9.1.2068", 78), capabilities: { ipForwarding: true } });
  assert.deepEqual(c, {
    type: "router",
    rule: "cisco-router",
    vendor: "Cisco",
    model: "ISR",
    osVersion: "IOS-XE 16.9.4",
  });
});

Deno.test("classify() calls a routing Catalyst a switch: the product beats ipForwarding", () => {
  const c = classify({
    system: sys(C9300, "1.3.6.1.4.1.9.1.2494", 6),
    capabilities: { ipForwarding: true, bridgePorts: 52 },
  });
  assert.equal(c.type, "switch");
  assert.equal(c.rule, "cisco-switch");
});

Deno.test("classify() calls a FortiGate a firewall although it forwards and bridges", () => {
  const c = classify({
    system: sys("", "1.3.6.1.4.1.12356.101.1.30", 78),
    capabilities: { ipForwarding: true, bridgePorts: 4, lldpCapabilities: ["bridge", "router"] },
  });
  assert.deepEqual(c, {
    type: "firewall",
    rule: "fortinet-fortigate",
    vendor: "Fortinet",
    model: null,
    osVersion: null,
  });
});

Deno.test("classify() calls a forwarding Linux box running lldpd a server", () => {
  const c = classify({
    system: sys(LINUX, "1.3.6.1.4.1.8072.3.2.10", 72),
    capabilities: { ipForwarding: true, lldpCapabilities: ["bridge", "router"] },
  });
  assert.deepEqual(c, {
    type: "server",
    rule: "host-os",
    vendor: null,
    model: null,
    osVersion: "Linux 6.1.0-18-amd64",
  });
});

Deno.test("classify() falls back to capabilities for an unknown product", () => {
  const unknown = sys("Acme NetThing", "1.3.6.1.4.1.99999.1", undefined);
  assert.equal(
    classify({ system: unknown, capabilities: { bridgePorts: 24, ipForwarding: false } }).rule,
    "bridge-mib",
  );
  assert.equal(
    classify({ system: unknown, capabilities: { bridgePorts: 24, ipForwarding: true } }).rule,
    "ip-forwarding",
  );
  assert.equal(
    classify({ system: unknown, capabilities: { printerMib: true, ipForwarding: false } }).rule,
    "printer-mib",
  );
});

Deno.test("classify() falls back to sysServices when nothing else is known", () => {
  const c = classify({ system: sys("Acme NetThing", "1.3.6.1.4.1.99999.1", 2), capabilities: {} });
  assert.deepEqual(c, {
    type: "switch",
    rule: "sysservices-layer2",
    vendor: null,
    model: null,
    osVersion: null,
  });
});

Deno.test("classify() says unknown, rule null, when no rule matches", () => {
  assert.deepEqual(classify({}), { type: "unknown", rule: null, vendor: null, model: null, osVersion: null });
  const c = classify({ system: sys("Acme NetThing", "1.3.6.1.4.1.99999.1", undefined), capabilities: {} });
  assert.equal(c.type, "unknown");
  assert.equal(c.rule, null);
});

Deno.test("classify() types an ARP-only host by its MAC vendor and names the vendor", () => {
  const facts: DeviceFacts = { ouiVendor: "Brother Industries, LTD.", servicePorts: [80, 443] };
  assert.deepEqual(classify(facts), {
    type: "printer",
    rule: "oui-printer",
    vendor: "Brother Industries, LTD.",
    model: null,
    osVersion: null,
  });
});

Deno.test("classify() types an ARP-only host by print ports before web ports", () => {
  const c = classify({ ouiVendor: "Intel Corporate", servicePorts: [443, 9100] });
  assert.equal(c.rule, "ports-printer");
  assert.equal(classify({ ouiVendor: null, servicePorts: [22] }).rule, "ports-server");
});

Deno.test("classify() takes the vendor from sysObjectID's enterprise when sysDescr names none", () => {
  const c = classify({
    system: sys("Linux DiskStation 4.4.59+ #25426 SMP PREEMPT x86_64", "1.3.6.1.4.1.6574.1"),
  });
  assert.equal(c.vendor, "Synology");
  assert.equal(c.rule, "nas-enterprise");
  assert.equal(c.osVersion, "Linux 4.4.59+");
});

Deno.test("classify() prefers the SNMP vendor over the MAC vendor", () => {
  const c = classify({
    system: sys("RouterOS RB4011iGS+", "1.3.6.1.4.1.14988.1"),
    ouiVendor: "Routerboard.com",
  });
  assert.deepEqual(c, {
    type: "router",
    rule: "mikrotik-routeros",
    vendor: "MikroTik",
    model: "RB4011iGS+",
    osVersion: null,
  });
});

Deno.test("classify() uses the rule table it is given", () => {
  const rules = [{
    id: "always",
    type: "printer" as const,
    description: "matches anything",
    match: () => true,
  }];
  assert.equal(classify({}, rules).rule, "always");
});
