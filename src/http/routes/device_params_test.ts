import assert from "node:assert/strict";
import { matchDevice } from "../../devices/mod.ts";
import { sampleDevice } from "../../../tests/helpers/sample_devices.ts";
import { BadParameter } from "../errors.ts";
import { parseDeviceFilter } from "./device_params.ts";

function filter(query: string) {
  return parseDeviceFilter(new URLSearchParams(query));
}

Deno.test("parseDeviceFilter() of an empty query filters nothing", () => {
  assert.deepEqual(filter(""), {});
  assert.equal(matchDevice(sampleDevice({ ip: "192.0.2.1" }), filter("")), true);
});

Deno.test("parseDeviceFilter() refuses unknown, repeated and malformed parameters, naming them", () => {
  const bad: [string, string][] = [
    ["kind=router", "kind"],
    ["type=router&type=printer", "type"],
    ["type=Router", "type"],
    ["type=,router", "type"],
    ["status=no%20response", "status"],
    ["cidr=192.0.2.1", "cidr"],
    ["limit=65537", "limit"],
    ["limit=-1", "limit"],
    [`q=${"a".repeat(257)}`, "q"],
  ];
  for (const [q, parameter] of bad) {
    assert.throws(() => filter(q), (e: unknown) => e instanceof BadParameter && e.parameter === parameter, q);
  }
});

Deno.test("matchDevice() with a cidr keeps the addresses inside the network, of its family only", () => {
  const f = filter("cidr=192.0.2.64/26");
  const inside = ["192.0.2.64", "192.0.2.100", "192.0.2.127"];
  const outside = ["192.0.2.63", "192.0.2.128", "10.0.0.1", "::ffff:192.0.2.100", "2001:db8::1"];
  for (const ip of inside) assert.equal(matchDevice(sampleDevice({ ip }), f), true, ip);
  for (const ip of outside) assert.equal(matchDevice(sampleDevice({ ip }), f), false, ip);
});

Deno.test("matchDevice() with q does not read an address fragment as a MAC", () => {
  const d = sampleDevice({ ip: "192.0.2.5", mac: "10:00:10:aa:bb:cc" });
  assert.equal(matchDevice(d, filter("q=10.0")), false, "10.0 is not 10:00");
  assert.equal(matchDevice(d, filter("q=10:00:10")), true);
  assert.equal(matchDevice(d, filter("q=1000.10aa")), true);
  assert.equal(matchDevice(d, filter("q=100010aabbcc")), true);
  assert.equal(matchDevice(d, filter("q=%20%20")), true, "blank text filters nothing");
});

Deno.test("matchDevice() needs every given filter to hold", () => {
  const d = sampleDevice({
    ip: "10.1.2.3",
    type: "switch",
    snmp: { ...sampleDevice({ ip: "x" }).snmp, status: "ok" },
  });
  assert.equal(matchDevice(d, filter("type=switch&status=ok&cidr=10.0.0.0/8")), true);
  assert.equal(matchDevice(d, filter("type=switch&status=ok&cidr=172.16.0.0/12")), false);
  assert.equal(matchDevice(d, filter("type=switch&status=auth_failure")), false);
  assert.equal(matchDevice(d, filter("type=router&status=ok")), false);
});
