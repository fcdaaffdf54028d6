/**
 * One simulated device per definition family (tests/fixtures/snmprec/families/<family>.snmprec, each
 * written from its vendor's published sysObjectID/sysDescr, the source named in its header), served by
 * snmpsimd on its own 127.0.160.x address and polled the way the daemon polls: Inventory.pollOne() with
 * the real SNMP session, system group, capability probe, classification and DeviceRegistry. What the
 * registry then holds is compared with what a network engineer reads off each fixture, written below by
 * hand; the served sysDescr is compared with the fixture file itself.
 *
 * Among them the three devices that were misclassified before: the Windows XP workstation whose
 * hrDeviceTable lists printer drivers, the Linksys router and the Sun host without sysServices.
 * Skipped without snmpsim unless CI=true.
 */
import assert from "node:assert/strict";
import { snmpsimUnavailable, startSnmpsim } from "./helpers/snmpsim.ts";
import { EventBus } from "../src/events/bus.ts";
import { CredentialTable } from "../src/snmp/credentials.ts";
import { Inventory } from "../src/devices/inventory.ts";
import { DeviceRegistry } from "../src/devices/registry.ts";
import type { DeviceJson } from "../src/events/device_json.ts";

const CI = Deno.env.get("CI") === "true";
const missing = await snmpsimUnavailable();
if (missing && CI) throw new Error(`CI=true and ${missing}`);

const FIXTURES = new URL("./fixtures/snmprec/", import.meta.url).pathname;
const PORT = 16160;

type Expected = Pick<DeviceJson, "type" | "type_rule" | "vendor" | "model" | "os_version">;

/** What each family's device is, read by hand from its fixture. */
const EXPECTED: Record<string, Expected> = {
  cisco: {
    type: "switch",
    type_rule: "definition:cisco-ios-xe-switch (sysObjectID 1.3.6.1.4.1.9.1.2494)",
    vendor: "Cisco",
    model: "Catalyst 9300 stack",
    os_version: "IOS-XE 16.12.4",
  },
  cisco_security_wireless: {
    type: "firewall",
    type_rule: "definition:cisco-asa (sysObjectID 1.3.6.1.4.1.9.1.2114)",
    vendor: "Cisco",
    model: "ASA 5506",
    os_version: "ASA 9.8(2)",
  },
  juniper: {
    type: "firewall",
    type_rule: "definition:juniper-srx (sysObjectID 1.3.6.1.4.1.2636.1.1.1.2.41)",
    vendor: "Juniper Networks",
    model: "srx100h2",
    os_version: "Junos 12.3X48-D35.7",
  },
  hpe_aruba: {
    type: "access_point",
    type_rule: "definition:aruba-controller (sysObjectID 1.3.6.1.4.1.14823.1.1.40)",
    vendor: "HPE Aruba",
    model: "Aruba7010-US",
    os_version: "ArubaOS 6.5.1.4",
  },
  dell: {
    type: "server",
    type_rule: "definition:dell-idrac (sysObjectID 1.3.6.1.4.1.674.10892.5)",
    vendor: "Dell",
    model: null,
    os_version: null,
  },
  netgear: {
    type: "switch",
    type_rule: "definition:netgear-switch (sysObjectID 1.3.6.1.4.1.4526.100.1.28)",
    vendor: "Netgear",
    model: "GS724Tv4",
    os_version: "Netgear 6.3.1.4",
  },
  tplink: {
    type: "switch",
    type_rule: "definition:tplink-jetstream (sysObjectID 1.3.6.1.4.1.11863.5)",
    vendor: "TP-Link",
    model: null,
    os_version: null,
  },
  dlink: {
    type: "switch",
    type_rule: "definition:dlink-switch (sysObjectID 1.3.6.1.4.1.171.10)",
    vendor: "D-Link",
    model: "DES-3028",
    os_version: null,
  },
  zyxel: {
    type: "switch",
    type_rule: 'definition:zyxel-switch (sysObjectID 1.3.6.1.4.1.890, sysDescr "GS1900-24E")',
    vendor: "Zyxel",
    model: "GS1900-24E",
    os_version: null,
  },
  ubiquiti: {
    type: "switch",
    type_rule: 'definition:ubiquiti-unifi-switch (sysDescr "USW-")',
    vendor: "Ubiquiti",
    model: "USW-24P-250",
    os_version: "UniFi 3.7.17.5220",
  },
  mikrotik: {
    type: "switch",
    type_rule:
      'definition:mikrotik-routeros-switch (sysObjectID 1.3.6.1.4.1.14988.1, sysDescr "RouterOS CRS3")',
    vendor: "MikroTik",
    model: "CRS326-24G-2S+",
    os_version: null,
  },
  fortinet: {
    type: "switch",
    type_rule: "definition:fortinet-fortiswitch (sysObjectID 1.3.6.1.4.1.12356.106.1.1)",
    vendor: "Fortinet",
    model: "FortiSwitch-124E",
    os_version: "FortiSwitchOS 7.4.3",
  },
  paloalto: {
    type: "server",
    type_rule:
      'definition:paloalto-wildfire (sysObjectID 1.3.6.1.4.1.25461, sysDescr "Palo Alto Networks WildFire")',
    vendor: "Palo Alto Networks",
    model: null,
    os_version: null,
  },
  sonicwall_watchguard: {
    type: "firewall",
    type_rule: "definition:sonicwall-sonicos (sysObjectID 1.3.6.1.4.1.8741.1)",
    vendor: "SonicWall",
    model: "NSA 2600",
    os_version: "SonicOS 6.2.5.1-26n",
  },
  security_appliances: {
    type: "firewall",
    type_rule: "definition:checkpoint-gaia (sysObjectID 1.3.6.1.4.1.2620)",
    vendor: "Check Point",
    model: null,
    os_version: "Linux 3.10.0-957.21.3cpx86_64",
  },
  bsd_firewalls: {
    type: "firewall",
    type_rule: 'definition:pfsense (sysDescr "pfSense")',
    vendor: "Netgate",
    model: null,
    os_version: "pfSense 2.7.2-RELEASE",
  },
  linksys: {
    type: "router",
    type_rule: "definition:linksys-router (sysObjectID 1.3.6.1.4.1.3955.1.1)",
    vendor: "Linksys",
    model: "BEFSX41",
    os_version: null,
  },
  storage: {
    type: "storage",
    type_rule: "definition:synology-dsm (sysObjectID 1.3.6.1.4.1.6574.1)",
    vendor: "Synology",
    model: null,
    os_version: "Linux 4.4.59+",
  },
  ups: {
    type: "ups",
    type_rule: "definition:apc-ups (sysObjectID 1.3.6.1.4.1.318.1.3.2.12)",
    vendor: "APC",
    model: "AP9631",
    os_version: "APC AOS 6.9.6",
  },
  printers: {
    type: "printer",
    type_rule: "definition:ricoh-printer (sysObjectID 1.3.6.1.4.1.367.1.1)",
    vendor: "Ricoh",
    model: "MP C2051",
    os_version: "Firmware 2.06",
  },
  windows: {
    type: "workstation",
    type_rule: "definition:windows-workstation (sysObjectID 1.3.6.1.4.1.311.1.1.3.1.1)",
    vendor: "Microsoft",
    model: null,
    os_version: "Windows 5.1 Build 2600",
  },
  hypervisors: {
    type: "hypervisor",
    type_rule: "definition:vmware-esxi (sysObjectID 1.3.6.1.4.1.6876.4.1)",
    vendor: "VMware",
    model: null,
    os_version: "ESXi 6.7.0 build-8169922",
  },
  wireless: {
    type: "access_point",
    type_rule: "definition:aerohive-hiveos (sysObjectID 1.3.6.1.4.1.26928)",
    vendor: "Aerohive",
    model: "HiveAP230",
    os_version: "HiveOS 8.2r1",
  },
  phones: {
    type: "phone",
    type_rule: 'definition:grandstream-phone (sysObjectID 1.3.6.1.4.1.42397, sysDescr "GXP2")',
    vendor: "Grandstream",
    model: "GXP2170",
    os_version: null,
  },
  other_network: {
    type: "switch",
    type_rule: "definition:arista-eos (sysObjectID 1.3.6.1.4.1.30065)",
    vendor: "Arista Networks",
    model: "DCS-7050SX3-48YC8",
    os_version: "EOS 4.28.3M",
  },
  unix: {
    type: "server",
    type_rule: "definition:solaris (sysObjectID 1.3.6.1.4.1.42.2.1.1)",
    vendor: "Oracle (Sun)",
    model: "Sun-Blade-100",
    os_version: null,
  },
};

/** sysDescr.0 as the fixture holds it (the oracle for what the agent served). */
async function fixtureDescr(name: string): Promise<string> {
  const text = await Deno.readTextFile(`${FIXTURES}families/${name}.snmprec`);
  const line = text.split("\n").find((l) => l.startsWith("1.3.6.1.2.1.1.1.0|4|"));
  return line!.slice("1.3.6.1.2.1.1.1.0|4|".length);
}

Deno.test({
  name:
    "every definition family's device, polled through snmpsimd, gets the type, rule, vendor and model an engineer reads",
  ignore: missing !== null && !CI,
  async fn(t) {
    const names: string[] = [];
    for await (const e of Deno.readDir(`${FIXTURES}families`)) {
      if (e.isFile && e.name.endsWith(".snmprec")) names.push(e.name.slice(0, -".snmprec".length));
    }
    names.sort();
    assert.deepEqual(names, Object.keys(EXPECTED).sort(), "every family has a fixture and an expectation");
    const ipOf = (i: number) => `127.0.160.${i + 1}`;
    const sim = await startSnmpsim({
      endpoints: names.map((_, i) => `${ipOf(i)}:${PORT}`),
      dataDir: FIXTURES,
    });
    const dir = await Deno.makeTempDir({ prefix: "flintnet-families-" });
    const registry = new DeviceRegistry({ path: `${dir}/devices.json`, publish: () => {} });
    const inventory = new Inventory({
      registry,
      bus: new EventBus(),
      credentials: new CredentialTable({
        defaultCredentials: { version: "v2c", community: "nobody" },
        rules: names.map((n, i) => ({
          cidr: `${ipOf(i)}/32`,
          credentials: { version: "v2c" as const, community: `families/${n}` },
        })),
      }),
      snmp: { port: PORT, timeoutMs: 2000, retries: 1 },
      concurrency: 4,
      servicePorts: () => new Map(),
      onArpTable: () => {},
    });
    let ok = false;
    try {
      for (const [i, name] of names.entries()) {
        await t.step(`${name} is ${EXPECTED[name].type}`, async () => {
          const ip = ipOf(i);
          registry.observe({ ip, source: "snmp" });
          assert.equal(await inventory.pollOne(ip), true, `${name} answered`);
          const d = registry.get(ip)!;
          assert.equal(d.sys_descr, await fixtureDescr(name), "the agent served the fixture");
          assert.deepEqual(
            {
              type: d.type,
              type_rule: d.type_rule,
              vendor: d.vendor,
              model: d.model,
              os_version: d.os_version,
            },
            EXPECTED[name],
          );
        });
      }
      ok = true;
    } finally {
      if (!ok) {
        console.error(`snmpsimd output (last lines):\n${sim.output().split("\n").slice(-40).join("\n")}`);
      }
      await registry.stop();
      await sim.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
