/**
 * POST /devices/:id/ack against the real daemon on a veth pair (namespace fnhd-ack, 10.231.223.0/24):
 * the namespace end answers the discovery sweep's ARP (a device with a MAC), and a real snmpd on the host
 * end answers its SNMP probe (a device found by SNMP, with no MAC: nothing ARPs for one's own address).
 * An acknowledgement is answered only once it is on disk — arp-state.json is read the moment the 200
 * arrives — and the device without a MAC gets a 409 that says to acknowledge by MAC. The MAC expected is
 * the one `ip link` gave the namespace's interface.
 */
import assert from "node:assert/strict";
import { type Daemon, startDaemon } from "./helpers/daemon.ts";
import { createVethPair, netnsUnavailable, type VethPair } from "./helpers/netns.ts";
import { freePort } from "./helpers/ports.ts";
import { type Snmpd, snmpdUnavailable, startSnmpd } from "./helpers/snmpd.ts";

const CI = Deno.env.get("CI") === "true";
const TOKEN = "device-ack-token-0123456789";
const COMMUNITY = "fnhd-ack";
const missing = (await netnsUnavailable()) ?? (await snmpdUnavailable());

// deno-lint-ignore no-explicit-any
async function api(port: number, method: string, path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}` },
  });
  return { status: res.status, body: await res.json() };
}

async function waitForDevice(port: number, ip: string, withMac: boolean): Promise<void> {
  const until = Date.now() + 30_000;
  for (;;) {
    const r = await api(port, "GET", `/devices/${ip}`);
    if (r.status === 200 && (!withMac || r.body.mac)) return;
    if (Date.now() > until) {
      throw new Error(`device ${ip} not listed${withMac ? " with a MAC" : ""}: ${JSON.stringify(r)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

Deno.test({
  name: "a device acknowledgement is on disk when answered; a device without a MAC gets 409 saying why",
  ignore: missing !== null && !CI,
  async fn() {
    if (missing) throw new Error(missing);
    const stateDir = await Deno.makeTempDir({ prefix: "flintnet_ack_" });
    let pair: VethPair | undefined, agent: Snmpd | undefined, d: Daemon | undefined;
    try {
      pair = await createVethPair({
        ns: "fnhd-ack",
        hostIf: "fnhdack-h",
        nsIf: "fnhdack-n",
        hostAddr: "10.231.223.1/24",
        nsAddr: "10.231.223.2/24",
        staticNeighbours: false,
      });
      const snmpPort = freePort();
      agent = await startSnmpd({
        address: pair.hostIp,
        port: snmpPort,
        config: `rocommunity ${COMMUNITY} 10.231.223.0/24\nsysname fnhd-ack-host\n`,
      });
      const port = freePort();
      d = await startDaemon({
        FLINTNET_INTERFACE: pair.hostIf,
        FLINTNET_CIDR: "10.231.223.0/29",
        FLINTNET_LISTEN: `127.0.0.1:${port}`,
        FLINTNET_STATE_DIR: stateDir,
        FLINTNET_API_TOKEN: TOKEN,
        FLINTNET_TRAP_LISTEN: "off",
        FLINTNET_SNMP_PORT: String(snmpPort),
        FLINTNET_SNMP_COMMUNITY: COMMUNITY,
      });
      await waitForDevice(port, pair.nsIp, true);
      await waitForDevice(port, pair.hostIp, false);

      const ack = await api(port, "POST", `/devices/${pair.nsIp}/ack`);
      const onDisk = JSON.parse(await Deno.readTextFile(`${stateDir}/arp-state.json`));
      assert.equal(ack.status, 200);
      assert.deepEqual(ack.body, { acknowledged: true, mac: pair.nsMac });
      assert.ok(
        onDisk.acknowledged.includes(pair.nsMac),
        `arp-state.json has it: ${JSON.stringify(onDisk.acknowledged)}`,
      );

      const noMac = await api(port, "POST", `/devices/${pair.hostIp}/ack`);
      assert.equal(noMac.status, 409);
      assert.equal(noMac.body.error.code, "conflict");
      assert.match(noMac.body.error.message, /has no MAC address yet .*acknowledge it by MAC/);
      assert.equal((await api(port, "POST", "/devices/10.231.223.6/ack")).status, 404, "never seen");
    } finally {
      await d?.kill();
      await agent?.stop();
      await pair?.destroy();
      await Deno.remove(stateDir, { recursive: true });
    }
  },
});
