import assert from "node:assert/strict";
import { defaultGateways, defaultRoutes } from "./default_routes.ts";

// Layout of /proc/net/route as the kernel prints it (tab separated, hex host-order addresses).
const HEADER = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT";

Deno.test("defaultGateways() gives the next hops of the default routes, lowest metric first", () => {
  const text = [
    HEADER,
    "wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0",
    "eth1\t00000000\t01C8E70A\t0003\t0\t0\t100\t00000000\t0\t0\t0",
    "eth0\t0001A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
  ].join("\n");
  assert.deepEqual(defaultGateways(text), ["10.231.200.1", "192.168.1.1"]);
  assert.deepEqual(defaultRoutes(text).map((r) => r.iface), ["eth1", "wlan0"]);
});

Deno.test("defaultGateways() leaves out routes that are down, have no gateway, or are not default", () => {
  const text = [
    HEADER,
    "eth9\t00000000\t010200C0\t0002\t0\t0\t0\t00000000\t0\t0\t0", // not RTF_UP
    "ppp0\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0", // point-to-point: no gateway
    "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0", // a connected network
    "eth1\t00000000\tZZZZZZZZ\t0003\t0\t0\t0\t00000000\t0\t0\t0", // garbage
  ].join("\n");
  assert.deepEqual(defaultGateways(text), []);
  assert.deepEqual(defaultRoutes(text).map((r) => [r.iface, r.gateway]), [["ppp0", null], ["eth1", null]]);
  assert.deepEqual(defaultGateways(""), []);
  assert.deepEqual(defaultGateways("garbage\nmore garbage"), []);
});

Deno.test("defaultGateways() names each gateway once", () => {
  const text = [
    HEADER,
    "eth0\t00000000\t01C8E70A\t0003\t0\t0\t100\t00000000\t0\t0\t0",
    "eth0\t00000000\t01C8E70A\t0003\t0\t0\t200\t00000000\t0\t0\t0",
  ].join("\n");
  assert.deepEqual(defaultGateways(text), ["10.231.200.1"]);
});

Deno.test("defaultGateways() reads /proc/net/route when given no text, as `ip route` does", async () => {
  // iproute2 reads the same kernel table over netlink: an independent reader.
  const out = await new Deno.Command("ip", {
    args: ["-4", "-j", "route", "show", "default"],
    stdout: "piped",
  })
    .output().catch(() => null);
  if (out === null || out.code !== 0) return void console.warn("ip (iproute2) missing: nothing to compare");
  const routes = JSON.parse(new TextDecoder().decode(out.stdout)) as { gateway?: string; table?: string }[];
  const want = [
    ...new Set(routes.filter((r) => r.gateway && (r.table ?? "main") === "main").map((r) => r.gateway!)),
  ];
  assert.deepEqual(defaultGateways().sort(), want.sort());
});
