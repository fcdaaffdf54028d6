/**
 * Classification against simulated agents: every device fixture in tests/fixtures/snmprec is served by
 * snmpsimd on its own 127.0.20.x address, read over real SNMP (system group + capability probe) and
 * classified. What the agent answered is checked against the fixture file itself; the expected type,
 * rule, vendor, model and version are read by hand from each fixture's sysDescr / sysObjectID (see
 * tests/fixtures/snmprec/README.md for where the strings come from).
 * Skipped without snmpsim unless CI=true.
 */

import assert from "node:assert/strict";
import { snmpsimUnavailable, startSnmpsim } from "./helpers/snmpsim.ts";
import { createSnmpSession } from "../src/snmp/session.ts";
import { getSystemInfo } from "../src/snmp/system_info.ts";
import {
  OID_DOT1D_BASE_NUM_PORTS,
  OID_IP_FORWARDING,
  probeCapabilities,
} from "../src/polling/capabilities.ts";
import { type Classification, classify, EnterpriseRegistry } from "../src/classify/mod.ts";

const CI = Deno.env.get("CI") === "true";
const missing = await snmpsimUnavailable();
if (missing && CI) throw new Error(`CI=true and ${missing}`);

const FIXTURES = new URL("./fixtures/snmprec/", import.meta.url).pathname;
/** Vendors of products no definition knows come from Debian's IANA registry (libwireshark-data). */
const enterprises = new EnterpriseRegistry();
const PORT = 16120;

/** Expected verdict per fixture (file name without .snmprec = community). */
const EXPECTED: Record<string, Classification> = {
  cisco_isr4331: {
    type: "router",
    rule: "definition:cisco-ios-xe-router (sysObjectID 1.3.6.1.4.1.9.1.2068)",
    vendor: "Cisco",
    model: "ISR4331",
    osVersion: "IOS-XE 16.9.4",
  },
  mikrotik_rb4011: {
    type: "router",
    rule: "definition:mikrotik-routeros (sysObjectID 1.3.6.1.4.1.14988.1)",
    vendor: "MikroTik",
    model: "RB4011iGS+",
    osVersion: null,
  },
  cisco_c2960x: {
    type: "switch",
    rule: "definition:cisco-ios-switch (sysObjectID 1.3.6.1.4.1.9.1.1208)",
    vendor: "Cisco",
    model: "C2960X",
    osVersion: "IOS 15.2(4)E10",
  },
  hp_procurve_2530: {
    type: "switch",
    rule: "definition:hp-procurve (sysObjectID 1.3.6.1.4.1.11.2.3.7.11.138)",
    vendor: "HP",
    model: "J9774A 2530-8G-PoEP",
    osVersion: "ArubaOS-Switch YA.16.11.0031",
  },
  fortigate_vm64: {
    type: "firewall",
    rule: "definition:fortinet-fortigate (sysObjectID 1.3.6.1.4.1.12356.101.1.30)",
    vendor: "Fortinet",
    model: "FortiGate-VM64",
    osVersion: null,
  },
  paloalto_pa3000: {
    type: "firewall",
    rule: "definition:paloalto-panos (sysObjectID 1.3.6.1.4.1.25461)",
    vendor: "Palo Alto Networks",
    model: "PA-3000",
    osVersion: null,
  },
  brother_nc8300h: {
    type: "printer",
    rule: "definition:brother-printer (sysObjectID 1.3.6.1.4.1.2435.2.3.9.1)",
    vendor: "Brother",
    model: "NC-8300h",
    osVersion: "Firmware 1.14",
  },
  hp_jetdirect: {
    type: "printer",
    rule: "definition:hp-printer (sysObjectID 1.3.6.1.4.1.11.2.3.9.1)",
    vendor: "HP",
    model: null,
    osVersion: "JetDirect JSI23900012",
  },
  unifi_ap: {
    type: "access_point",
    rule: "definition:ubiquiti-wireless (sysObjectID 1.3.6.1.4.1.10002.1)",
    vendor: "Ubiquiti",
    model: null,
    osVersion: "Linux 3.3.8",
  },
  lldp_ap: {
    type: "access_point",
    rule: "capability:lldp-wlan-ap (lldpLocSysCapEnabled {bridge, wlanAccessPoint})",
    vendor: null,
    model: null,
    osVersion: "Linux 4.4.60",
  },
  debian_server: {
    type: "server",
    rule: "definition:linux (sysObjectID 1.3.6.1.4.1.8072.3.2.10)",
    vendor: null,
    model: null,
    osVersion: "Linux 6.1.0-18-amd64",
  },
  windows_server_2019: {
    type: "server",
    rule: "definition:windows-server (sysObjectID 1.3.6.1.4.1.311.1.1.3.1.2)",
    vendor: "Microsoft",
    model: null,
    osVersion: "Windows 6.3 Build 17763",
  },
  // A NetBotz 200 rack monitor behind an APC card (MN:NBRK0200, app nb200): an environment sensor, not
  // a UPS, and no type fits it; the IANA registry still names its maker.
  apc_ups: {
    type: "unknown",
    rule: null,
    vendor: "American Power Conversion Corp.",
    model: null,
    osVersion: null,
  },
};

/** Reads a .snmprec file into OID → [tag, value] (values of tag 4x decoded to text). */
async function readSnmprec(path: string): Promise<Map<string, [string, string]>> {
  const map = new Map<string, [string, string]>();
  for (const line of (await Deno.readTextFile(path)).split("\n")) {
    if (line.trim() === "") continue;
    const [oid, tag, ...rest] = line.split("|");
    const raw = rest.join("|");
    const value = tag === "4x"
      ? new TextDecoder().decode(new Uint8Array(raw.match(/../g)?.map((h) => parseInt(h, 16)) ?? []))
      : raw;
    map.set(oid, [tag, value]);
  }
  return map;
}

/** Runs `fn` against snmpsimd serving the fixtures on `endpoints`; shows its last lines when `fn` throws. */
async function withSim(endpoints: string[], fn: () => Promise<void>): Promise<void> {
  const sim = await startSnmpsim({ endpoints, dataDir: FIXTURES });
  try {
    await fn();
  } catch (e) {
    console.error(`snmpsimd output (last lines):\n${sim.output().split("\n").slice(-60).join("\n")}`);
    throw e;
  } finally {
    await sim.stop();
  }
}

Deno.test({
  name: "classify() names every fixture device served by snmpsimd: type, rule, vendor, model, OS",
  ignore: missing !== null && !CI,
  async fn(t) {
    const names: string[] = [];
    for await (const e of Deno.readDir(FIXTURES)) {
      if (e.isFile && e.name.endsWith(".snmprec")) names.push(e.name.slice(0, -".snmprec".length));
    }
    names.sort();
    assert.deepEqual(names, Object.keys(EXPECTED).sort(), "every fixture has an expectation and vice versa");
    const endpoints = names.map((_, i) => `127.0.20.${i + 1}:${PORT}`);
    await withSim(endpoints, async () => {
      for (const [i, name] of names.entries()) {
        await t.step(`${name} is ${EXPECTED[name].type}`, async () => {
          const file = await readSnmprec(`${FIXTURES}${name}.snmprec`);
          const session = createSnmpSession({
            ip: `127.0.20.${i + 1}`,
            port: PORT,
            credentials: { version: "v2c", community: name },
            timeoutMs: 2000,
            retries: 1,
          });
          try {
            const system = await getSystemInfo(session);
            // The agent answered what the fixture holds (getSystemInfo turns line breaks into one space).
            assert.equal(system.sysDescr, file.get("1.3.6.1.2.1.1.1.0")?.[1].replace(/[\r\n]+/g, " "));
            assert.equal(system.sysObjectId, file.get("1.3.6.1.2.1.1.2.0")?.[1]);
            const services = file.get("1.3.6.1.2.1.1.7.0");
            assert.equal(system.sysServices, services ? Number(services[1]) : undefined);
            const capabilities = await probeCapabilities(session);
            const fwd = file.get(OID_IP_FORWARDING);
            assert.equal(capabilities.ipForwarding, fwd ? fwd[1] === "1" : undefined);
            const ports = file.get(OID_DOT1D_BASE_NUM_PORTS);
            assert.equal(capabilities.bridgePorts, ports ? Number(ports[1]) : undefined);
            assert.deepEqual(classify({ system, capabilities }, { enterprises }), EXPECTED[name]);
          } finally {
            session.close();
          }
        });
      }
    });
  },
});

Deno.test({
  name: "probeCapabilities() reads LLDP capability BITS and Printer-MIB over the wire",
  ignore: missing !== null && !CI,
  async fn() {
    const ask = (community: string) =>
      createSnmpSession({
        ip: "127.0.20.101",
        port: PORT,
        credentials: { version: "v2c", community },
        timeoutMs: 2000,
        retries: 1,
      });
    await withSim([`127.0.20.101:${PORT}`], async () => {
      // Fixture bytes: cisco_c2960x 0x20 = bridge(2); debian_server 0x28 = bridge(2)+router(4);
      // lldp_ap 0x30 = bridge(2)+wlanAccessPoint(3) — bit 0 is the top bit of the first octet.
      const expected: Record<string, string[]> = {
        cisco_c2960x: ["bridge"],
        debian_server: ["bridge", "router"],
        lldp_ap: ["bridge", "wlanAccessPoint"],
      };
      for (const [community, caps] of Object.entries(expected)) {
        const s = ask(community);
        try {
          assert.deepEqual((await probeCapabilities(s)).lldpCapabilities, caps, community);
        } finally {
          s.close();
        }
      }
      const printer = ask("brother_nc8300h");
      try {
        assert.equal((await probeCapabilities(printer)).printerMib, true);
      } finally {
        printer.close();
      }
      const noPrinter = ask("mikrotik_rb4011");
      try {
        const caps = await probeCapabilities(noPrinter);
        // The GETNEXT from prtGeneralEntry lands past the table: the agent answered, and has no print engine.
        assert.equal(caps.printerMib, false);
        assert.equal(caps.lldpCapabilities, undefined);
      } finally {
        noPrinter.close();
      }
    });
  },
});

Deno.test({
  name: "probeCapabilities() rejects with timeout when no agent listens",
  ignore: missing !== null && !CI,
  async fn() {
    // Nothing is started on 127.0.20.200: loopback answers ICMP port unreachable, or nothing.
    const s = createSnmpSession({
      ip: "127.0.20.200",
      port: PORT,
      credentials: { version: "v2c", community: "public" },
      timeoutMs: 300,
      retries: 0,
    });
    try {
      await assert.rejects(
        probeCapabilities(s),
        (e: Error & { failure?: string }) => e.failure === "timeout" || e.failure === "refused",
      );
    } finally {
      s.close();
    }
  },
});
