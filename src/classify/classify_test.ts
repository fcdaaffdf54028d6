import assert from "node:assert/strict";
import { classify, type DeviceFacts } from "./classify.ts";
import type { EnterpriseLookup } from "./enterprises.ts";
import type { SystemInfo } from "../snmp/snmp_types.ts";

function sys(sysDescr: string, sysObjectId: string, sysServices?: number): SystemInfo {
  return { sysDescr, sysObjectId, sysName: "dev", sysServices, sysUpTimeCs: 1 };
}

/** A registry that knows the numbers given, so tests never depend on the installed file. */
function registry(names: Record<number, string>): EnterpriseLookup {
  return { name: (n) => names[n] ?? null };
}
const NO_REGISTRY = registry({});

const ISR =
  "Cisco IOS Software [Fuji], ISR Software (X86_64_LINUX_IOSD-UNIVERSALK9-M), Version 16.9.4, RELEASE SOFTWARE (fc2)";
const C9300 =
  "Cisco IOS Software [Gibraltar], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 16.12.4, RELEASE SOFTWARE (fc5)";
const LINUX = "Linux host 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01) x86_64";
/** The Windows XP recording Debian's snmpsim ships (examples/data/recorded/winxp-full-walk.snmprec). */
const WINXP =
  "Hardware: x86 Family 6 Model 9 Stepping 5 AT/AT COMPATIBLE - Software: Windows 2000 Version 5.1 (Build 2600 Uniprocessor Free)";

Deno.test("classify() names a product by its sysObjectID and says so in type_rule", () => {
  const c = classify({ system: sys(ISR, "1.3.6.1.4.1.9.1.2068", 78), capabilities: { ipForwarding: true } });
  assert.deepEqual(c, {
    type: "router",
    rule: "definition:cisco-ios-xe-router (sysObjectID 1.3.6.1.4.1.9.1.2068)",
    vendor: "Cisco",
    model: "ISR4331",
    osVersion: "IOS-XE 16.9.4",
  });
});

Deno.test("classify() calls a routing Catalyst a switch: the product beats ipForwarding", () => {
  const c = classify({
    system: sys(C9300, "1.3.6.1.4.1.9.1.2494", 6),
    capabilities: { ipForwarding: true, bridgePorts: 52, lldpCapabilities: ["bridge", "router"] },
  });
  assert.equal(c.type, "switch");
  assert.equal(c.rule, "definition:cisco-ios-xe-switch (sysObjectID 1.3.6.1.4.1.9.1.2494)");
});

Deno.test("classify() quotes the part of sysDescr that matched when no sysObjectID decided", () => {
  const c = classify({ system: sys("FortiGate-60E v6.2.3,build1066,191219 (GA)", "") });
  assert.equal(c.type, "firewall");
  assert.equal(c.rule, 'definition:fortinet-fortigate (sysDescr "FortiGate")');
  assert.equal(c.osVersion, "FortiOS 6.2.3");
});

Deno.test("classify() calls a Windows XP workstation a workstation, whatever printers it has drivers for", () => {
  // The old probe read HOST-RESOURCES hrDeviceType.1, which on this host is a printer driver; even a
  // printer capability cannot outvote the product's own sysObjectID.
  for (const printerMib of [undefined, false, true]) {
    const c = classify({
      system: sys(WINXP, "1.3.6.1.4.1.311.1.1.3.1.1", 76),
      capabilities: { ipForwarding: false, printerMib },
    });
    assert.deepEqual(c, {
      type: "workstation",
      rule: "definition:windows-workstation (sysObjectID 1.3.6.1.4.1.311.1.1.3.1.1)",
      vendor: "Microsoft",
      model: null,
      osVersion: "Windows 5.1 Build 2600",
    });
  }
});

Deno.test("classify() calls a Linksys SOHO router without sysServices a router, from its sysObjectID", () => {
  const c = classify({ system: sys("BEFSX41", "1.3.6.1.4.1.3955.1.1", undefined) }, {
    enterprises: NO_REGISTRY,
  });
  assert.deepEqual(c, {
    type: "router",
    rule: "definition:linksys-router (sysObjectID 1.3.6.1.4.1.3955.1.1)",
    vendor: "Linksys",
    model: "BEFSX41",
    osVersion: null,
  });
});

Deno.test("classify() calls a Sun Solaris host without sysServices a server", () => {
  const c = classify({ system: sys("Sun SNMP Agent, Sun-Blade-100", "1.3.6.1.4.1.42.2.1.1", undefined) });
  assert.equal(c.type, "server");
  assert.equal(c.rule, "definition:solaris (sysObjectID 1.3.6.1.4.1.42.2.1.1)");
  assert.equal(c.model, "Sun-Blade-100");
});

Deno.test("classify() lets a role capability beat a generic platform, and a generic platform beat forwarding", () => {
  const ap = classify({
    system: sys(
      "Linux ap-hallway 4.4.60 #0 SMP Wed Mar 3 12:00:00 2021 armv7l",
      "1.3.6.1.4.1.8072.3.2.10",
      72,
    ),
    capabilities: { lldpCapabilities: ["bridge", "wlanAccessPoint"], ipForwarding: false },
  });
  assert.equal(ap.type, "access_point");
  assert.equal(ap.rule, "capability:lldp-wlan-ap (lldpLocSysCapEnabled {bridge, wlanAccessPoint})");
  assert.equal(ap.osVersion, "Linux 4.4.60", "the platform still names the OS");
  const server = classify({
    system: sys(LINUX, "1.3.6.1.4.1.8072.3.2.10", 72),
    capabilities: { ipForwarding: true, lldpCapabilities: ["bridge", "router"] },
  }, { enterprises: NO_REGISTRY });
  assert.deepEqual(server, {
    type: "server",
    rule: "definition:linux (sysObjectID 1.3.6.1.4.1.8072.3.2.10)",
    vendor: null,
    model: null,
    osVersion: "Linux 6.1.0-18-amd64",
  });
});

Deno.test("classify() takes the OS version from the platform when the product reads none", () => {
  const c = classify({
    system: sys("Linux DiskStation 4.4.59+ #25426 SMP PREEMPT x86_64", "1.3.6.1.4.1.6574.1"),
  });
  assert.deepEqual([c.type, c.vendor, c.osVersion], ["storage", "Synology", "Linux 4.4.59+"]);
});

Deno.test("classify() falls back to capabilities and sysServices for an unknown product", () => {
  const unknown = sys("Acme NetThing", "1.3.6.1.4.1.99999.1", undefined);
  const rule = (f: DeviceFacts) => classify(f, { enterprises: NO_REGISTRY }).rule;
  assert.equal(
    rule({ system: unknown, capabilities: { bridgePorts: 24, ipForwarding: false } }),
    "capability:bridge-mib (dot1dBaseNumPorts 24, ipForwarding not forwarding)",
  );
  assert.equal(
    rule({ system: unknown, capabilities: { bridgePorts: 24, ipForwarding: true } }),
    "capability:ip-forwarding (ipForwarding forwarding(1))",
  );
  assert.equal(
    rule({ system: unknown, capabilities: { printerMib: true } }),
    "capability:printer-mib (prtGeneralTable answered)",
  );
  assert.equal(
    rule({ system: unknown, capabilities: { upsMib: true } }),
    "capability:ups-mib (upsIdentModel answered)",
  );
  assert.equal(
    rule({ system: sys("Acme NetThing", "1.3.6.1.4.1.99999.1", 2), capabilities: {} }),
    "capability:sysservices-layer2 (sysServices 2: layer 2)",
  );
});

Deno.test("classify() names the vendor from the IANA registry when no definition knows the product", () => {
  const c = classify(
    { system: sys("Acme NetThing", "1.3.6.1.4.1.99999.1", 2), ouiVendor: "Intel Corporate" },
    { enterprises: registry({ 99999: "Acme Widgets" }) },
  );
  assert.equal(c.vendor, "Acme Widgets");
  const agent = classify(
    { system: sys("Acme NetThing", "1.3.6.1.4.1.8072.3.2.99", 2), ouiVendor: "Intel Corporate" },
    { enterprises: registry({ 8072: "net-snmp" }) },
  );
  assert.equal(agent.vendor, "Intel Corporate", "the Net-SNMP agent's number names no manufacturer");
});

Deno.test("classify() prefers the definition's vendor over the registry's and the MAC's", () => {
  const c = classify(
    { system: sys("RouterOS RB4011iGS+", "1.3.6.1.4.1.14988.1"), ouiVendor: "Routerboard.com" },
    { enterprises: registry({ 14988: "MikroTik" }) },
  );
  assert.deepEqual(c, {
    type: "router",
    rule: "definition:mikrotik-routeros (sysObjectID 1.3.6.1.4.1.14988.1)",
    vendor: "MikroTik",
    model: "RB4011iGS+",
    osVersion: null,
  });
});

Deno.test("classify() says unknown, rule null, when nothing decides", () => {
  assert.deepEqual(classify({}), { type: "unknown", rule: null, vendor: null, model: null, osVersion: null });
  const c = classify({ system: sys("Acme NetThing", "1.3.6.1.4.1.99999.1", undefined), capabilities: {} }, {
    enterprises: NO_REGISTRY,
  });
  assert.deepEqual([c.type, c.rule], ["unknown", null]);
});

Deno.test("classify() types an ARP-only host by its MAC vendor, and by print ports before web ports", () => {
  assert.deepEqual(classify({ ouiVendor: "Brother Industries, LTD.", servicePorts: [80, 443] }), {
    type: "printer",
    rule: 'guess:oui-printer (MAC vendor "Brother Industries, LTD.")',
    vendor: "Brother Industries, LTD.",
    model: null,
    osVersion: null,
  });
  assert.equal(
    classify({ ouiVendor: "Intel Corporate", servicePorts: [443, 9100] }).rule,
    "guess:ports-printer (serves port 9100)",
  );
  assert.equal(classify({ ouiVendor: null, servicePorts: [22] }).rule, "guess:ports-server (serves port 22)");
});

Deno.test("classify() never throws and never hangs on garbage a peer can send", () => {
  // Seeded (xorshift32) so a failure repeats; sysDescr is at most 255 characters after decoding.
  let x = 0x2545f491;
  const rnd = () => ((x ^= x << 13, x ^= x >>> 17, x ^= x << 5) >>> 0) / 2 ** 32;
  const pieces = [
    "Cisco IOS Software",
    "Linux ",
    "RouterOS ",
    " Version ",
    "(",
    ")",
    "MODEL:",
    "ESXi ",
    "\u0000",
    "é",
    " ",
  ];
  const oids = [
    "",
    ".",
    "1.3.6.1.4.1.",
    "1.3.6.1.4.1.9.1.",
    "1.3.6.1.4.1.x.1",
    "1..3",
    "1.3.6.1.4.1.99999999999.1",
  ];
  for (let i = 0; i < 2000; i++) {
    let descr = "";
    while (descr.length < rnd() * 255) {
      descr += rnd() < 0.5
        ? pieces[Math.floor(rnd() * pieces.length)]
        : String.fromCharCode(32 + Math.floor(rnd() * 95));
    }
    const oid = rnd() < 0.5
      ? oids[Math.floor(rnd() * oids.length)]
      : `1.3.6.1.4.1.${Math.floor(rnd() * 60000)}.${Math.floor(rnd() * 9)}`;
    const c = classify({ system: sys(descr.slice(0, 255), oid, Math.floor(rnd() * 300) - 50) }, {
      enterprises: NO_REGISTRY,
    });
    assert.ok(typeof c.type === "string");
    for (const v of [c.model, c.osVersion]) assert.ok(v === null || v.length <= 200, `${v}`);
  }
});
