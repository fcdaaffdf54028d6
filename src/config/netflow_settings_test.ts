import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "./load.ts";

const PROBE = {
  defaultRouteInterface: () => "eth0",
  interfaceIPv4Network: () => "192.0.2.0/24",
  interfaceNames: () => ["eth0"],
  chooseStateDir: () => Promise.resolve("/srv/flintnet-test"),
};
const NO_FILE = { defaultEnvFile: "/nonexistent/flintnet.env" };

function load(env: Record<string, string>) {
  return loadConfig(env, PROBE, NO_FILE);
}

async function refused(env: Record<string, string>, ...fragments: string[]): Promise<void> {
  const err = await load(env).then(() => undefined, (e) => e);
  assert.ok(err instanceof ConfigError, `refused: ${JSON.stringify(env)}`);
  assert.ok(!err.message.includes("\n"), "one line");
  for (const f of fragments) assert.ok(err.message.includes(f), `${JSON.stringify(err.message)} has ${f}`);
}

Deno.test("loadConfig() listens for NetFlow on 2055 and IPFIX on 4739 by default, with a 32 MiB buffer", async () => {
  assert.deepEqual((await load({})).netflow, {
    netflowListen: { hostname: "0.0.0.0", port: 2055 },
    ipfixListen: { hostname: "0.0.0.0", port: 4739 },
    sflowListen: { hostname: "0.0.0.0", port: 6343 },
    bufferMb: 32,
    sampling: [],
  });
});

Deno.test("loadConfig() turns each flow listener off with off, and moves it with host:port", async () => {
  const cfg = await load({
    FLINTNET_NETFLOW_LISTEN: "OFF",
    FLINTNET_IPFIX_LISTEN: "[::1]:14739",
    FLINTNET_SFLOW_LISTEN: "off",
  });
  assert.equal(cfg.netflow.netflowListen, null);
  assert.deepEqual(cfg.netflow.ipfixListen, { hostname: "::1", port: 14739 });
  assert.equal(cfg.netflow.sflowListen, null);
  await refused({ FLINTNET_IPFIX_LISTEN: "4739x" }, "FLINTNET_IPFIX_LISTEN", "off, or host:port");
  await refused({ FLINTNET_NETFLOW_BUFFER_MB: "0" }, "FLINTNET_NETFLOW_BUFFER_MB", "from 1 to 1024");
});

Deno.test("loadConfig() reads per-exporter sampling rates, addresses in canonical form", async () => {
  const cfg = await load({ FLINTNET_NETFLOW_SAMPLING: "192.0.2.1=100, 2001:DB8:0::7=1_000" });
  assert.deepEqual(cfg.netflow.sampling, [
    { address: "192.0.2.1", family: 4, words: [0xc0000201, 0, 0, 0], rate: 100 },
    { address: "2001:db8::7", family: 6, words: [0x20010db8, 0, 0, 7], rate: 1000 },
  ]);
  await refused(
    { FLINTNET_NETFLOW_SAMPLING: "router1=100" },
    "FLINTNET_NETFLOW_SAMPLING",
    "is not an IP address",
  );
  await refused({ FLINTNET_NETFLOW_SAMPLING: "192.0.2.1=0" }, "the rate for 192.0.2.1");
  await refused({ FLINTNET_NETFLOW_SAMPLING: "192.0.2.1=10,192.0.2.1=20" }, "192.0.2.1 is listed twice");
  await refused({ FLINTNET_NETFLOW_SAMPLING: "192.0.2.1" }, "is not an IP address");
});
