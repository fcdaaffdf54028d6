/**
 * Classification on recordings of real devices that nobody here made: the SNMP walks Debian's snmpsim
 * package ships as examples (/usr/share/doc/snmpsim/examples/data): a Windows XP workstation, a Linux
 * host, a Linksys BEFSX41 router, a Sun Blade 100, a Cisco Catalyst 3750 and an HP ProCurve 2810.
 * Each is served by snmpsimd as recorded (the .gz ones uncompressed first) and polled the way the
 * daemon polls (Inventory.pollOne). The expected types are what a network engineer reads off the
 * recordings; three of them (the Windows XP whose hrDeviceTable lists printer drivers, the Linksys and
 * the Sun without sysServices) were misclassified before.
 * Skipped without snmpsim unless CI=true.
 */
import assert from "node:assert/strict";
import { snmpsimUnavailable, startSnmpsim } from "./helpers/snmpsim.ts";
import { EventBus } from "../src/events/bus.ts";
import { CredentialTable } from "../src/snmp/credentials.ts";
import { Inventory } from "../src/devices/inventory.ts";
import { DeviceRegistry } from "../src/devices/registry.ts";
import type { DeviceType } from "../src/events/device_json.ts";

const CI = Deno.env.get("CI") === "true";
const EXAMPLES = "/usr/share/doc/snmpsim/examples/data";
const PORT = 16161;

/** Recording (relative to EXAMPLES) → what it is and the definition that must say so. */
const RECORDINGS: Record<string, { file: string; type: DeviceType; rule: string }> = {
  winxp: {
    file: "recorded/winxp-full-walk.snmprec.gz",
    type: "workstation",
    rule: "definition:windows-workstation (sysObjectID 1.3.6.1.4.1.311.1.1.3.1.1)",
  },
  linksys: {
    file: "recorded/linksys-system.snmprec",
    type: "router",
    rule: "definition:linksys-router (sysObjectID 1.3.6.1.4.1.3955.1.1)",
  },
  solaris: {
    file: "recorded/solaris-system.snmprec",
    type: "server",
    rule: "definition:solaris (sysObjectID 1.3.6.1.4.1.42.2.1.1)",
  },
  linux: {
    file: "recorded/linux-full-walk.snmprec.gz",
    type: "server",
    rule: "definition:linux (sysObjectID 1.3.6.1.4.1.8072.3.2.10)",
  },
  catalyst3750: {
    file: "cisco_16_switch.snmprec.gz",
    type: "switch",
    rule: "definition:cisco-ios-switch (sysObjectID 1.3.6.1.4.1.9.1.516)",
  },
  procurve2810: {
    file: "hp_perf.snmprec.gz",
    type: "switch",
    rule: "definition:hp-procurve (sysObjectID 1.3.6.1.4.1.11.2.3.7.11.63)",
  },
};

async function unavailable(): Promise<string | null> {
  const sim = await snmpsimUnavailable();
  if (sim) return sim;
  for (const r of Object.values(RECORDINGS)) {
    try {
      await Deno.stat(`${EXAMPLES}/${r.file}`);
    } catch {
      return `${EXAMPLES}/${r.file} is missing (Debian package snmpsim ships it; a docs-less image drops it)`;
    }
  }
  return null;
}
const missing = await unavailable();
if (missing && CI) throw new Error(`CI=true and ${missing}`);

/** The recording's text, uncompressed when it is a .gz. */
async function recording(file: string): Promise<string> {
  const bytes = await Deno.readFile(`${EXAMPLES}/${file}`);
  if (!file.endsWith(".gz")) return new TextDecoder().decode(bytes);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return await new Response(stream).text();
}

Deno.test({
  name: "the six real recordings snmpsim ships are classified as an engineer reads them",
  ignore: missing !== null && !CI,
  async fn(t) {
    const data = await Deno.makeTempDir({ prefix: "flintnet-recordings-" });
    const names = Object.keys(RECORDINGS);
    const texts = new Map<string, string>();
    for (const n of names) {
      texts.set(n, await recording(RECORDINGS[n].file));
      await Deno.writeTextFile(`${data}/${n}.snmprec`, texts.get(n)!);
    }
    // The trap the Windows recording sets: printers in hrDeviceTable (hrDeviceType = hrDevicePrinter).
    assert.match(
      texts.get("winxp")!,
      /^1\.3\.6\.1\.2\.1\.25\.3\.2\.1\.2\.1\|6\|1\.3\.6\.1\.2\.1\.25\.3\.1\.5$/m,
    );
    // And no sysServices in the Linksys and Sun recordings.
    for (const n of ["linksys", "solaris"]) {
      assert.doesNotMatch(texts.get(n)!, /^1\.3\.6\.1\.2\.1\.1\.7\.0\|/m);
    }

    const ipOf = (i: number) => `127.0.161.${i + 1}`;
    const sim = await startSnmpsim({ endpoints: names.map((_, i) => `${ipOf(i)}:${PORT}`), dataDir: data });
    const registry = new DeviceRegistry({ path: `${data}/devices.json`, publish: () => {} });
    const inventory = new Inventory({
      registry,
      bus: new EventBus(),
      credentials: new CredentialTable({
        defaultCredentials: { version: "v2c", community: "nobody" },
        rules: names.map((n, i) => ({
          cidr: `${ipOf(i)}/32`,
          credentials: { version: "v2c" as const, community: n },
        })),
      }),
      snmp: { port: PORT, timeoutMs: 3000, retries: 1 },
      concurrency: 2,
      servicePorts: () => new Map(),
      onArpTable: () => {},
    });
    let ok = false;
    try {
      for (const [i, name] of names.entries()) {
        await t.step(`${name} is ${RECORDINGS[name].type}`, async () => {
          const ip = ipOf(i);
          registry.observe({ ip, source: "snmp" });
          assert.equal(await inventory.pollOne(ip), true, `${name} answered`);
          const d = registry.get(ip)!;
          assert.deepEqual([d.type, d.type_rule], [RECORDINGS[name].type, RECORDINGS[name].rule]);
        });
      }
      ok = true;
    } finally {
      if (!ok) {
        console.error(`snmpsimd output (last lines):\n${sim.output().split("\n").slice(-40).join("\n")}`);
      }
      await registry.stop();
      await sim.stop();
      await Deno.remove(data, { recursive: true });
    }
  },
});
