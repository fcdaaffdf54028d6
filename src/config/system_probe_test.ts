import assert from "node:assert/strict";
import { parseIpv4 } from "../net/address.ts";
import {
  chooseStateDir,
  defaultRouteInterface,
  interfaceIPv4Network,
  interfaceNames,
  ipv4Network,
} from "./system_probe.ts";

// Layout of /proc/net/route as the kernel prints it (tab separated, hex little-endian addresses).
const HEADER = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT";

Deno.test("defaultRouteInterface() picks the default route with the lowest metric", () => {
  const text = [
    HEADER,
    "wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0",
    "eth1\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0",
    "eth0\t0001A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
    "",
  ].join("\n");
  assert.equal(defaultRouteInterface(text), "eth1");
});

Deno.test("defaultRouteInterface() keeps the first of equal metrics", () => {
  const text = [
    HEADER,
    "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0",
    "eth1\t00000000\t020200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0",
  ].join("\n");
  assert.equal(defaultRouteInterface(text), "eth0");
});

Deno.test("defaultRouteInterface() ignores routes that are down and non-default routes", () => {
  const text = [
    HEADER,
    "eth9\t00000000\t010200C0\t0002\t0\t0\t0\t00000000\t0\t0\t0",
    "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
  ].join("\n");
  assert.equal(defaultRouteInterface(text), undefined);
});

Deno.test("defaultRouteInterface() returns undefined for an empty or header-only table", () => {
  assert.equal(defaultRouteInterface(""), undefined);
  assert.equal(defaultRouteInterface(HEADER + "\n"), undefined);
  assert.equal(defaultRouteInterface("garbage\nmore garbage"), undefined);
});

Deno.test("defaultRouteInterface() reads /proc/net/route when given no text", () => {
  // Cross-check against `ip route` (iproute2) as an independent reader of the same kernel table.
  const out = new Deno.Command("ip", { args: ["-4", "route", "show", "default"] }).outputSync();
  const text = new TextDecoder().decode(out.stdout);
  const found = defaultRouteInterface();
  if (text.trim() === "") {
    assert.equal(found, undefined);
  } else {
    const devs = [...text.matchAll(/\bdev (\S+)/g)].map((m) => m[1]);
    assert.ok(found !== undefined && devs.includes(found), `${found} not in ${devs}`);
  }
});

Deno.test("interfaceIPv4Network() turns the first IPv4 address into its network", () => {
  const ifaces: Deno.NetworkInterfaceInfo[] = [
    {
      family: "IPv6",
      name: "eth0",
      address: "fe80::1",
      netmask: "ffff:ffff:ffff:ffff::",
      scopeid: 2,
      cidr: "fe80::1/64",
      mac: "02:00:00:00:00:01",
    },
    {
      family: "IPv4",
      name: "eth0",
      address: "192.0.2.130",
      netmask: "255.255.255.128",
      scopeid: null,
      cidr: "192.0.2.130/25",
      mac: "02:00:00:00:00:01",
    },
    {
      family: "IPv4",
      name: "eth0",
      address: "198.51.100.7",
      netmask: "255.255.255.0",
      scopeid: null,
      cidr: "198.51.100.7/24",
      mac: "02:00:00:00:00:01",
    },
    {
      family: "IPv4",
      name: "lo",
      address: "127.0.0.1",
      netmask: "255.0.0.0",
      scopeid: null,
      cidr: "127.0.0.1/8",
      mac: "00:00:00:00:00:00",
    },
  ];
  assert.equal(interfaceIPv4Network("eth0", ifaces), "192.0.2.128/25");
  assert.equal(interfaceIPv4Network("lo", ifaces), "127.0.0.0/8");
  assert.equal(interfaceIPv4Network("eth5", ifaces), undefined);
});

Deno.test("interfaceIPv4Network() reports loopback as 127.0.0.0/8 on this machine", () => {
  assert.equal(interfaceIPv4Network("lo"), "127.0.0.0/8");
});

Deno.test("interfaceNames() lists loopback and reads a given sysfs-like directory", async () => {
  assert.ok(interfaceNames().includes("lo"));
  const dir = await Deno.makeTempDir();
  try {
    for (const n of ["eth1", "br0", "eth0"]) await Deno.mkdir(`${dir}/${n}`);
    assert.deepEqual(interfaceNames(dir), ["br0", "eth0", "eth1"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseIpv4() accepts dotted quads and refuses leading zeros and out-of-range octets", () => {
  assert.deepEqual(parseIpv4("192.0.2.255"), 0xc00002ff);
  assert.deepEqual(parseIpv4("0.0.0.0"), 0);
  for (const bad of ["256.0.0.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.-4", "a.b.c.d", "1..2.3", ""]) {
    assert.equal(parseIpv4(bad), undefined, bad);
  }
});

Deno.test("ipv4Network() clears host bits", () => {
  assert.equal(ipv4Network(parseIpv4("10.1.2.3")!, 8), "10.0.0.0/8");
  assert.equal(ipv4Network(parseIpv4("172.16.255.1")!, 12), "172.16.0.0/12");
  assert.equal(ipv4Network(parseIpv4("192.0.2.77")!, 32), "192.0.2.77/32");
  assert.equal(ipv4Network(parseIpv4("255.255.255.255")!, 31), "255.255.255.254/31");
  assert.equal(ipv4Network(parseIpv4("203.0.113.9")!, 0), "0.0.0.0/0");
});

Deno.test("chooseStateDir() uses the system directory when it can be created", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const dir = await chooseStateDir({ HOME: `${tmp}/home` }, { systemDir: `${tmp}/var/lib/flintnet` });
    assert.equal(dir, `${tmp}/var/lib/flintnet`);
    const st = await Deno.stat(dir);
    assert.ok(st.isDirectory);
    assert.equal(st.mode! & 0o777, 0o700);
    // No probe file is left behind.
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("chooseStateDir() falls back to $XDG_STATE_HOME, then ~/.local/state", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    // A path below a regular file can never be created.
    await Deno.writeTextFile(`${tmp}/file`, "");
    const systemDir = `${tmp}/file/flintnet`;
    const xdg = await chooseStateDir({ XDG_STATE_HOME: `${tmp}/xdg/`, HOME: `${tmp}/home` }, { systemDir });
    assert.equal(xdg, `${tmp}/xdg/flintnet`);
    assert.equal((await Deno.stat(xdg)).mode! & 0o777, 0o700);
    const home = await chooseStateDir({ XDG_STATE_HOME: "relative/ignored", HOME: `${tmp}/home` }, {
      systemDir,
    });
    assert.equal(home, `${tmp}/home/.local/state/flintnet`);
    assert.ok((await Deno.stat(home)).isDirectory);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("chooseStateDir() names every candidate and FLINTNET_STATE_DIR when none works", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${tmp}/file`, "");
    await assert.rejects(
      chooseStateDir({ HOME: `${tmp}/file` }, { systemDir: `${tmp}/file/a` }),
      (err: Error) => {
        assert.match(err.message, /FLINTNET_STATE_DIR/);
        assert.ok(err.message.includes(`${tmp}/file/a`));
        assert.ok(err.message.includes(`${tmp}/file/.local/state/flintnet`));
        return true;
      },
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
