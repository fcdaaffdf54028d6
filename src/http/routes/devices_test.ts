import assert from "node:assert/strict";
import { Hono } from "hono";
import { notFound, onError } from "../hardening.ts";
import { type DeviceSource, devicesRoutes, NO_DEVICES } from "./devices.ts";

function app(devices: DeviceSource): Hono {
  const a = new Hono();
  a.onError(onError);
  a.notFound(notFound);
  a.route("/", devicesRoutes({ devices }));
  return a;
}

const ROUTER = { ip: "192.0.2.1", type: "router", name: "gw" };
const V6 = { ip: "2001:db8::1", type: "server", name: "db" };
const SOURCE: DeviceSource = {
  list: () => [ROUTER, V6],
  get: (ip) => [ROUTER, V6].find((d) => d.ip === ip),
};

Deno.test("GET /devices is empty until there is a device registry", async () => {
  const res = await app(NO_DEVICES).request("/devices");
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { devices: [], count: 0 });
});

Deno.test("GET /devices lists what the registry holds, with the count", async () => {
  assert.deepEqual(await (await app(SOURCE).request("/devices")).json(), { devices: [ROUTER, V6], count: 2 });
});

Deno.test("GET /devices/:ip finds a device by IPv4 or IPv6 address, in any spelling", async () => {
  assert.deepEqual(await (await app(SOURCE).request("/devices/192.0.2.1")).json(), ROUTER);
  assert.deepEqual(await (await app(SOURCE).request("/devices/2001:DB8:0:0::1")).json(), V6);
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
