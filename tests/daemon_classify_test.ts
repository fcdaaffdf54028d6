/**
 * End to end, through the daemon as a user starts it: a small LAN of three real devices' SNMP agents,
 * each in its own network namespace behind a bridge the daemon watches, answering with the system groups
 * recorded from the real Windows XP workstation (with printer drivers in its hrDeviceTable), Linksys
 * BEFSX41 router and Sun Blade 100 that Debian's snmpsim ships (tests/fixtures/snmprec/families/windows,
 * linksys and unix). The start sweep finds them, polls them and classifies them; the REST API must then
 * show a workstation, a router and a server, each with the definition that decided it, and
 * `GET /devices?type=` must filter by the new types.
 *
 * Oracles: the fixtures the test serves and `ip -j link` inside each namespace (the MACs). Addresses:
 * bridge fnclbr 10.231.160.1/24, devices .2–.4 in namespaces fncl-d2…fncl-d4; HTTP on 127.0.0.1:18570.
 */
import assert from "node:assert/strict";
import type { DeviceJson } from "../src/events/device_json.ts";
import { type Daemon, startDaemon } from "./helpers/daemon.ts";
import { netnsUnavailable, run } from "./helpers/netns.ts";
import { type Snmpsim, snmpsimUnavailable, startSnmpsim } from "./helpers/snmpsim.ts";

const CI = Deno.env.get("CI") === "true";
const HTTP_PORT = 18570;
const BASE = `http://127.0.0.1:${HTTP_PORT}`;
const TOKEN = "e2e-classify-token-0123456789abcdef";
const AUTH = { Authorization: `Bearer ${TOKEN}` };
const BRIDGE = "fnclbr";
const FAMILIES = new URL("./fixtures/snmprec/families/", import.meta.url).pathname;

/** The devices: host number on 10.231.160.0/24, fixture, and what the API must say about it. */
const DEVICES = [
  {
    n: 2,
    fixture: "windows",
    type: "workstation",
    type_rule: "definition:windows-workstation (sysObjectID 1.3.6.1.4.1.311.1.1.3.1.1)",
    vendor: "Microsoft",
    os_version: "Windows 5.1 Build 2600",
  },
  {
    n: 3,
    fixture: "linksys",
    type: "router",
    type_rule: "definition:linksys-router (sysObjectID 1.3.6.1.4.1.3955.1.1)",
    vendor: "Linksys",
    os_version: null,
  },
  {
    n: 4,
    fixture: "unix",
    type: "server",
    type_rule: "definition:solaris (sysObjectID 1.3.6.1.4.1.42.2.1.1)",
    vendor: "Oracle (Sun)",
    os_version: null,
  },
] as const;

const ns = (n: number) => `fncl-d${n}`;
const ip = (n: number) => `10.231.160.${n}`;

async function unavailable(): Promise<string | null> {
  return await netnsUnavailable() ?? await snmpsimUnavailable();
}
const missing = await unavailable();

/** Removes what a crashed run may have left: the namespaces (taking their veth ends) and the bridge. */
async function cleanup(): Promise<void> {
  for (const d of DEVICES) {
    await run(["ip", "netns", "del", ns(d.n)], false);
    await run(["ip", "link", "del", `fncl${d.n}-h`], false);
  }
  await run(["ip", "link", "del", BRIDGE], false);
}

/** The bridge with the daemon's address, and one namespace per device plugged into it. */
async function buildLan(): Promise<void> {
  await cleanup();
  await run(["ip", "link", "add", BRIDGE, "type", "bridge"]);
  await run(["ip", "addr", "add", "10.231.160.1/24", "dev", BRIDGE]);
  await run(["ip", "link", "set", BRIDGE, "up"]);
  for (const d of DEVICES) {
    const host = `fncl${d.n}-h`, dev = `fncl${d.n}-n`;
    await run(["ip", "netns", "add", ns(d.n)]);
    await run(["ip", "link", "add", host, "type", "veth", "peer", "name", dev]);
    await run(["ip", "link", "set", dev, "netns", ns(d.n)]);
    await run(["ip", "link", "set", host, "master", BRIDGE, "up"]);
    const inNs = ["ip", "netns", "exec", ns(d.n)];
    await run([...inNs, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1"]);
    await run([...inNs, "ip", "addr", "add", `${ip(d.n)}/24`, "dev", dev]);
    await run([...inNs, "ip", "link", "set", "lo", "up"]);
    await run([...inNs, "ip", "link", "set", dev, "up"]);
  }
}

/** The MAC of the device's interface, from `ip -j link` inside its namespace. */
async function macOf(n: number): Promise<string> {
  const links = JSON.parse((await run(["ip", "netns", "exec", ns(n), "ip", "-j", "link"])).stdout);
  return links.find((l: { ifname: string }) => l.ifname === `fncl${n}-n`).address;
}

async function getJson<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${BASE}${path}`, { headers: AUTH });
  return { status: res.status, body: await res.json() as T };
}

Deno.test({
  name: "daemon sweeps a LAN of a Windows XP, a Linksys router and a Sun host and classifies each as it is",
  ignore: missing !== null && !CI,
  async fn(t) {
    if (missing) throw new Error(`daemon classification test cannot run: ${missing}`);
    const stateDir = await Deno.makeTempDir({ prefix: "flintnet-e2eclassify-" });
    const sims: Snmpsim[] = [];
    let daemon: Daemon | undefined;
    try {
      await buildLan();
      for (const d of DEVICES) {
        const data = `${stateDir}/agent-${d.n}`;
        await Deno.mkdir(data);
        await Deno.copyFile(`${FAMILIES}${d.fixture}.snmprec`, `${data}/${d.fixture}.snmprec`);
        sims.push(await startSnmpsim({ endpoints: [`${ip(d.n)}:161`], dataDir: data, netns: ns(d.n) }));
      }
      daemon = await startDaemon({
        FLINTNET_STATE_DIR: stateDir,
        FLINTNET_INTERFACE: BRIDGE,
        FLINTNET_CIDR: "10.231.160.0/24",
        FLINTNET_LISTEN: `127.0.0.1:${HTTP_PORT}`,
        FLINTNET_API_TOKEN: TOKEN,
        FLINTNET_TRAP_LISTEN: "off",
        // Each agent answers only the community that names its data file, as a site's agents would.
        FLINTNET_SNMP_COMMUNITIES: DEVICES.map((d) => `${ip(d.n)}/32=${d.fixture}`).join(","),
        FLINTNET_SNMP_TIMEOUT: "500ms",
        FLINTNET_SNMP_RETRIES: "1",
      });

      await t.step("the start sweep finds, polls and classifies every device", async () => {
        const until = Date.now() + 45_000;
        const pending = new Set(DEVICES.map((d) => ip(d.n)));
        while (pending.size > 0) {
          for (const a of [...pending]) {
            const r = await getJson<DeviceJson>(`/devices/${a}`);
            if (r.status === 200 && r.body.snmp.status === "ok" && r.body.type_rule !== null) {
              pending.delete(a);
            }
          }
          if (pending.size === 0) break;
          if (Date.now() > until) throw new Error(`not classified in 45 s: ${[...pending].join(", ")}`);
          await new Promise((r) => setTimeout(r, 250));
        }
        for (const d of DEVICES) {
          const dev = (await getJson<DeviceJson>(`/devices/${ip(d.n)}`)).body;
          assert.deepEqual(
            {
              type: dev.type,
              type_rule: dev.type_rule,
              vendor: dev.vendor,
              os_version: dev.os_version,
              mac: dev.mac,
            },
            {
              type: d.type,
              type_rule: d.type_rule,
              vendor: d.vendor,
              os_version: d.os_version,
              mac: await macOf(d.n),
            },
            d.fixture,
          );
        }
      });

      await t.step(
        "GET /devices?type= filters by the new types, and no workstation is a printer",
        async () => {
          const ips = async (q: string) =>
            (await getJson<{ devices: DeviceJson[] }>(`/devices?type=${q}`)).body.devices.map((x) => x.ip)
              .sort();
          assert.deepEqual(await ips("workstation"), [ip(2)]);
          assert.deepEqual(await ips("router"), [ip(3)]);
          assert.deepEqual(await ips("server"), [ip(4)]);
          assert.deepEqual(await ips("printer"), []);
          assert.deepEqual(await ips("workstation,server"), [ip(2), ip(4)]);
          const bad = await getJson<{ error: string }>("/devices?type=laptop");
          assert.equal(bad.status, 400);
          assert.match(JSON.stringify(bad.body), /hypervisor/, "the error lists the accepted types");
          const spec = (await getJson<
            { components: { schemas: { Device: { properties: { type: { enum: string[] } } } } } }
          >(
            "/openapi.json",
          )).body;
          assert.deepEqual(spec.components.schemas.Device.properties.type.enum, [
            "router",
            "switch",
            "firewall",
            "access_point",
            "server",
            "workstation",
            "printer",
            "storage",
            "ups",
            "phone",
            "hypervisor",
            "unknown",
          ]);
        },
      );

      const stopped = await daemon.terminate();
      assert.equal(stopped.code, 0, daemon.lines.join("\n"));
    } catch (err) {
      if (daemon) console.error(`the daemon said:\n${daemon.lines.slice(-80).join("\n")}`);
      for (const s of sims) console.error(`snmpsimd said:\n${s.output().split("\n").slice(-20).join("\n")}`);
      throw err;
    } finally {
      await daemon?.kill();
      for (const s of sims) await s.stop();
      await cleanup();
      await Deno.remove(stateDir, { recursive: true }).catch(() => {});
    }
  },
});
