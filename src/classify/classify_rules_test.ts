import assert from "node:assert/strict";
import { CAPABILITY_RULES, type ClassifyRule, GUESS_RULES, ROLE_RULES } from "./classify_rules.ts";
import type { DeviceFacts } from "./classify.ts";
import type { SystemInfo } from "../snmp/snmp_types.ts";

/** A system group with only sysServices set (what the sysServices rules look at). */
function services(sysServices?: number): DeviceFacts {
  const system: SystemInfo = { sysDescr: "", sysObjectId: "", sysName: "dev", sysServices, sysUpTimeCs: 100 };
  return { system };
}

const ALL: readonly ClassifyRule[] = [...ROLE_RULES, ...CAPABILITY_RULES, ...GUESS_RULES];

/** For every rule: facts it must match with the evidence it must give, and close-by facts it must not. */
const CASES: Record<string, { yes: DeviceFacts; evidence: string; no: DeviceFacts }> = {
  "printer-mib": {
    yes: { capabilities: { printerMib: true } },
    evidence: "prtGeneralTable answered",
    no: { capabilities: { printerMib: false } },
  },
  "ups-mib": {
    yes: { capabilities: { upsMib: true } },
    evidence: "upsIdentModel answered",
    no: { capabilities: {} },
  },
  "lldp-wlan-ap": {
    yes: { capabilities: { lldpCapabilities: ["bridge", "wlanAccessPoint"] } },
    evidence: "lldpLocSysCapEnabled {bridge, wlanAccessPoint}",
    no: { capabilities: { lldpCapabilities: ["bridge"] } },
  },
  "lldp-telephone": {
    yes: { capabilities: { lldpCapabilities: ["bridge", "telephone"] } },
    evidence: "lldpLocSysCapEnabled {bridge, telephone}",
    no: { capabilities: { lldpCapabilities: ["bridge", "station"] } },
  },
  "lldp-router": {
    yes: { capabilities: { lldpCapabilities: ["bridge", "router"] } },
    evidence: "lldpLocSysCapEnabled {bridge, router}",
    no: { capabilities: { lldpCapabilities: ["bridge", "station"] } },
  },
  "lldp-bridge": {
    yes: { capabilities: { lldpCapabilities: ["bridge"] } },
    evidence: "lldpLocSysCapEnabled {bridge}",
    no: { capabilities: { lldpCapabilities: ["station"] } },
  },
  "bridge-mib": {
    yes: { capabilities: { bridgePorts: 26, ipForwarding: false } },
    evidence: "dot1dBaseNumPorts 26, ipForwarding not forwarding",
    no: { capabilities: { bridgePorts: 0, ipForwarding: false } },
  },
  "ip-forwarding": {
    yes: { capabilities: { ipForwarding: true } },
    evidence: "ipForwarding forwarding(1)",
    no: { capabilities: { ipForwarding: false } },
  },
  "lldp-station": {
    yes: { capabilities: { lldpCapabilities: ["station"] } },
    evidence: "lldpLocSysCapEnabled {station}",
    no: { capabilities: { lldpCapabilities: [] } },
  },
  "sysservices-layer3": {
    yes: services(78), // 2+4+8+64: Cisco routers' default
    evidence: "sysServices 78: layers 2, 3, 4, 7",
    no: services(72), // 8+64: Net-SNMP's default for a host
  },
  "sysservices-layer2": {
    yes: services(2),
    evidence: "sysServices 2: layer 2",
    no: services(6),
  },
  "sysservices-host": {
    yes: services(72),
    evidence: "sysServices 72: layers 4, 7",
    no: services(74),
  },
  "oui-firewall": {
    yes: { ouiVendor: "Fortinet, Inc." },
    evidence: 'MAC vendor "Fortinet, Inc."',
    no: { ouiVendor: "Intel Corporate" },
  },
  "oui-printer": {
    yes: { ouiVendor: "Brother Industries, LTD." },
    evidence: 'MAC vendor "Brother Industries, LTD."',
    no: { ouiVendor: "Brother, Brother & Sons ApS" },
  },
  "oui-ups": {
    yes: { ouiVendor: "American Power Conversion Corp" },
    evidence: 'MAC vendor "American Power Conversion Corp"',
    no: { ouiVendor: "American Megatrends Inc" },
  },
  "oui-phone": {
    yes: { ouiVendor: "Yealink(Xiamen) Network Technology Co.,Ltd." },
    evidence: 'MAC vendor "Yealink(Xiamen) Network Technology Co.,Ltd."',
    no: { ouiVendor: "Intel Corporate" },
  },
  "oui-access-point": {
    yes: { ouiVendor: "Ruckus Wireless" },
    evidence: 'MAC vendor "Ruckus Wireless"',
    no: { ouiVendor: "Ubiquiti Networks Inc." },
  },
  "oui-router": {
    yes: { ouiVendor: "Routerboard.com" },
    evidence: 'MAC vendor "Routerboard.com"',
    no: { ouiVendor: null },
  },
  "ports-printer": {
    yes: { servicePorts: [80, 443, 9100, 9100] },
    evidence: "serves port 9100",
    no: { servicePorts: [80, 443] },
  },
  "oui-storage": {
    yes: { ouiVendor: "Synology Incorporated" },
    evidence: 'MAC vendor "Synology Incorporated"',
    no: { ouiVendor: "Apple, Inc." },
  },
  "oui-server": {
    yes: { ouiVendor: "VMware, Inc." },
    evidence: 'MAC vendor "VMware, Inc."',
    no: { ouiVendor: "Apple, Inc." },
  },
  "ports-server": {
    yes: { servicePorts: [3389, 22] },
    evidence: "serves port 22, 3389",
    no: { servicePorts: [5353, 1900] },
  },
};

Deno.test("every classification rule has a unique id and a test case", () => {
  const ids = ALL.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length, "duplicate rule id");
  assert.deepEqual([...ids].sort(), Object.keys(CASES).sort());
});

for (const rule of ALL) {
  const c = CASES[rule.id];
  if (!c) continue;
  Deno.test(`rule ${rule.id} (${rule.type}) matches its example, says why, and not its counter-example`, () => {
    assert.equal(rule.match(c.yes), true, "should match");
    assert.equal(rule.evidence(c.yes), c.evidence);
    assert.equal(rule.match(c.no), false, "should not match");
  });
}

Deno.test("no rule matches a device about which nothing is known", () => {
  const none: DeviceFacts[] = [{}, {
    system: undefined,
    capabilities: {},
    ouiVendor: null,
    servicePorts: [],
  }];
  for (const f of none) assert.deepEqual(ALL.filter((r) => r.match(f)).map((r) => r.id), []);
});

Deno.test("every rule id is kebab-case and every rule says what it looks at", () => {
  for (const r of ALL) {
    assert.match(r.id, /^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    assert.ok(r.description.length > 10, r.id);
  }
});
