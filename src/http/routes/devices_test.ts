import assert from "node:assert/strict";
import { Hono } from "hono";
import type { DeviceJson } from "../../events/mod.ts";
import { parseCsv } from "../../../tests/helpers/csv_parse.ts";
import { notFound, onError } from "../hardening.ts";
import { type DeviceSource, devicesRoutes, NO_DEVICES } from "./devices.ts";
import { sampleDevice } from "../../../tests/helpers/sample_devices.ts";

function app(devices: DeviceSource): Hono {
  const a = new Hono();
  a.onError(onError);
  a.notFound(notFound);
  a.route("/", devicesRoutes({ devices }));
  return a;
}

const ROUTER = sampleDevice({
  ip: "10.0.0.1",
  mac: "00:00:0c:12:34:56",
  name: "core-gw",
  type: "router",
  type_rule: "sysservices-layer3",
  vendor: "Cisco",
  model: "ISR4331",
  sys_descr: "Cisco IOS XE Software, Version 17.03.04a",
  snmp: { status: "ok", last_success: "2026-01-02T00:00:00.000Z", last_error: null, poll_ms: 41 },
  sources: ["arp_sweep", "snmp"],
});
const PRINTER = sampleDevice({
  ip: "10.0.0.10",
  mac: "3c:2a:f4:00:00:01",
  name: "hall-printer",
  type: "printer",
  vendor: "Brother",
  sys_descr: 'Brother NC-8300w, "quoted", =cmd',
  snmp: {
    status: "no_response",
    last_success: null,
    last_error: "timeout after 1000 ms × 2 tries",
    poll_ms: 2003,
  },
});
const SWITCH = sampleDevice({ ip: "10.0.0.9", type: "switch", name: "sw-1", snmp: { ...ROUTER.snmp } });
const REMOTE = sampleDevice({ ip: "192.168.7.20", name: "branch-nas", type: "server" });
const V6 = sampleDevice({ ip: "2001:db8::1", type: "server", name: "db" });
const ALL = [V6, PRINTER, REMOTE, ROUTER, SWITCH];
const SOURCE: DeviceSource = {
  list: () => ALL,
  get: (ip) => ALL.find((d) => d.ip === ip),
};

async function ips(path: string, source = SOURCE): Promise<string[]> {
  const res = await app(source).request(path);
  assert.equal(res.status, 200, path);
  return (await res.json()).devices.map((d: DeviceJson) => d.ip);
}

Deno.test("GET /devices is empty until there is a device registry", async () => {
  const res = await app(NO_DEVICES).request("/devices");
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { devices: [], count: 0, total_matched: 0 });
});

Deno.test("GET /devices lists every device sorted by address numerically, IPv4 before IPv6", async () => {
  const res = await app(SOURCE).request("/devices");
  const body = await res.json();
  assert.deepEqual(body.devices.map((d: DeviceJson) => d.ip), [
    "10.0.0.1",
    "10.0.0.9",
    "10.0.0.10",
    "192.168.7.20",
    "2001:db8::1",
  ]);
  assert.equal(body.count, 5);
  assert.deepEqual(body.devices[0], ROUTER);
});

Deno.test("GET /devices filters by type and SNMP status, each a comma list", async () => {
  assert.deepEqual(await ips("/devices?type=router"), ["10.0.0.1"]);
  assert.deepEqual(await ips("/devices?type=switch,router"), ["10.0.0.1", "10.0.0.9"]);
  assert.deepEqual(await ips("/devices?status=ok"), ["10.0.0.1", "10.0.0.9"]);
  assert.deepEqual(await ips("/devices?status=not_polled&type=server"), ["192.168.7.20", "2001:db8::1"]);
  assert.deepEqual(await ips("/devices?type=firewall"), []);
});

Deno.test("GET /devices filters by network, IPv4 or IPv6", async () => {
  assert.deepEqual(await ips("/devices?cidr=10.0.0.8/29"), ["10.0.0.9", "10.0.0.10"]);
  assert.deepEqual(await ips("/devices?cidr=192.168.0.0/16"), ["192.168.7.20"]);
  assert.deepEqual(await ips("/devices?cidr=2001:db8::/32"), ["2001:db8::1"]);
  assert.deepEqual(await ips("/devices?cidr=0.0.0.0/0").then((l) => l.length), 4);
});

Deno.test("GET /devices?q= finds text in name, address, MAC, vendor, model and sysDescr, any case", async () => {
  assert.deepEqual(await ips("/devices?q=CORE"), ["10.0.0.1"]); // name
  assert.deepEqual(await ips("/devices?q=168.7"), ["192.168.7.20"]); // address
  assert.deepEqual(await ips("/devices?q=3c:2a:f4"), ["10.0.0.10"]); // MAC as shown
  assert.deepEqual(await ips("/devices?q=3C-2A-F4"), ["10.0.0.10"]); // MAC, Windows spelling
  assert.deepEqual(await ips("/devices?q=000c.1234"), ["10.0.0.1"]); // MAC, Cisco spelling
  assert.deepEqual(await ips("/devices?q=brother"), ["10.0.0.10"]); // vendor
  assert.deepEqual(await ips("/devices?q=isr4331"), ["10.0.0.1"]); // model
  assert.deepEqual(await ips("/devices?q=ios%20xe"), ["10.0.0.1"]); // sysDescr
  assert.deepEqual(await ips("/devices?q=nothing-has-this"), []);
});

Deno.test("GET /devices?limit= cuts the sorted list and says how many matched", async () => {
  const res = await app(SOURCE).request("/devices?limit=2");
  const body = await res.json();
  assert.deepEqual(body.devices.map((d: DeviceJson) => d.ip), ["10.0.0.1", "10.0.0.9"]);
  assert.equal(body.count, 2);
  assert.equal(body.total_matched, 5);
  assert.equal(res.headers.get("x-total-matched"), "5");
});

Deno.test("GET /devices answers 400 naming the parameter for an unknown or bad one", async () => {
  const cases: [string, string][] = [
    ["/devices?typ=router", "typ"],
    ["/devices?type=toaster", "type"],
    ["/devices?type=router,", "type"],
    ["/devices?status=down", "status"],
    ["/devices?cidr=10.0.0.0/33", "cidr"],
    ["/devices?limit=0", "limit"],
    ["/devices?limit=abc", "limit"],
    ["/devices?type=router&type=switch", "type"],
    [`/devices?q=${"x".repeat(300)}`, "q"],
    ["/devices?format=xml", "format"],
  ];
  for (const [path, parameter] of cases) {
    const res = await app(SOURCE).request(path);
    assert.equal(res.status, 400, path);
    const body = await res.json();
    assert.equal(body.error.code, "bad_parameter", path);
    assert.equal(body.error.parameter, parameter, path);
  }
});

Deno.test("GET /devices?format=csv gives RFC 4180 CSV with the same devices and values", async () => {
  const res = await app(SOURCE).request("/devices?type=printer,router&format=csv");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type")!, /^text\/csv/);
  const [header, ...rows] = parseCsv(await res.text());
  const col = (row: string[], name: string) => row[header.indexOf(name)];
  assert.equal(rows.length, 2);
  assert.equal(col(rows[0], "ip"), "10.0.0.1");
  assert.equal(col(rows[0], "snmp_status"), "ok");
  assert.equal(col(rows[0], "snmp_poll_ms"), "41");
  assert.equal(col(rows[0], "sources"), "arp_sweep snmp");
  assert.equal(col(rows[0], "interfaces"), "0");
  assert.equal(col(rows[1], "ip"), "10.0.0.10");
  assert.equal(col(rows[1], "sys_descr"), PRINTER.sys_descr);
  assert.equal(col(rows[1], "snmp_last_success"), "");
  // Accept: text/csv asks for the same thing.
  const viaAccept = await app(SOURCE).request("/devices?type=printer,router", {
    headers: { accept: "text/csv" },
  });
  assert.match(viaAccept.headers.get("content-type")!, /^text\/csv/);
});

Deno.test("GET /devices/:ip finds a device by IPv4 or IPv6 address, in any spelling", async () => {
  assert.deepEqual(await (await app(SOURCE).request("/devices/10.0.0.1")).json(), ROUTER);
  assert.deepEqual(await (await app(SOURCE).request("/devices/2001:DB8:0:0::1")).json(), V6);
});

Deno.test("GET /devices/:ip merges the source's detail, which cannot replace the device's members", async () => {
  const asked: string[] = [];
  const source: DeviceSource = {
    ...SOURCE,
    detail: (ip) => {
      asked.push(ip);
      return { arp_history: [{ ip, mac: "00:00:0c:12:34:56" }], alerts: [], name: "spoofed" };
    },
  };
  const body = await (await app(source).request("/devices/2001:DB8::1")).json();
  assert.deepEqual(asked, ["2001:db8::1"]);
  assert.equal(body.name, "db");
  assert.deepEqual(body.alerts, []);
  assert.deepEqual(body.arp_history, [{ ip: "2001:db8::1", mac: "00:00:0c:12:34:56" }]);
  assert.deepEqual({ ...body, alerts: undefined, arp_history: undefined }, {
    ...V6,
    alerts: undefined,
    arp_history: undefined,
  });
});

Deno.test("GET /devices/:ip answers 404 JSON for an address it does not know", async () => {
  const res = await app(SOURCE).request("/devices/192.0.2.99");
  assert.equal(res.status, 404);
  const body = await res.json();
  assert.equal(body.error.code, "not_found");
  assert.match(body.error.message, /192\.0\.2\.99/);
});

Deno.test("GET /devices/:ip answers 400 naming ip for something that is not an address", async () => {
  for (const bad of ["300.1.1.1", "gw.example", "1.2.3", "::g", "%3Cscript%3E", "x".repeat(300)]) {
    const res = await app(SOURCE).request(`/devices/${bad}`);
    assert.equal(res.status, 400, bad);
    const body = await res.json();
    assert.equal(body.error.code, "bad_parameter");
    assert.equal(body.error.parameter, "ip");
    assert.match(body.error.message, /IPv4 address/);
    assert.ok(body.error.message.length < 300, "a long value is not echoed whole");
  }
});
