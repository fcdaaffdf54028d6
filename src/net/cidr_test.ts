import assert from "node:assert/strict";
import { cidrContains, cidrText, ipv4HostCount, ipv4Hosts, parseCidr } from "./cidr.ts";

Deno.test("ipv4Hosts() of a /29 skips the network and broadcast addresses", () => {
  assert.deepEqual([...ipv4Hosts("192.0.2.8/29")], [
    "192.0.2.9",
    "192.0.2.10",
    "192.0.2.11",
    "192.0.2.12",
    "192.0.2.13",
    "192.0.2.14",
  ]);
});

Deno.test("ipv4Hosts() clears host bits the way ip route reads them", () => {
  assert.deepEqual([...ipv4Hosts("192.0.2.13/30")], ["192.0.2.13", "192.0.2.14"]);
});

Deno.test("ipv4Hosts() of a /31 gives both addresses and of a /32 the one address", () => {
  assert.deepEqual([...ipv4Hosts("198.51.100.6/31")], ["198.51.100.6", "198.51.100.7"]);
  assert.deepEqual([...ipv4Hosts("198.51.100.6/32")], ["198.51.100.6"]);
});

Deno.test("ipv4Hosts() crosses octet boundaries and ends below the broadcast of a /22", () => {
  const hosts = [...ipv4Hosts("10.1.4.0/22")];
  assert.equal(hosts.length, 1022);
  assert.equal(hosts[0], "10.1.4.1");
  assert.equal(hosts[254], "10.1.4.255");
  assert.equal(hosts[255], "10.1.5.0");
  assert.equal(hosts.at(-1), "10.1.7.254");
  assert.equal(new Set(hosts).size, 1022);
});

Deno.test("ipv4Hosts() near the top of the address space does not wrap to negative numbers", () => {
  assert.deepEqual([...ipv4Hosts("255.255.255.248/30")], ["255.255.255.249", "255.255.255.250"]);
});

Deno.test("ipv4Hosts() accepts a /16 by default and refuses a /15 with the accepted prefix", () => {
  let n = 0;
  for (const _ of ipv4Hosts("172.16.0.0/16")) n++;
  assert.equal(n, 65_534);
  assert.throws(() => ipv4Hosts("172.16.0.0/15"), (e: unknown) => {
    assert.ok(e instanceof RangeError);
    assert.match(e.message, /172\.16\.0\.0\/15 has 131070 host addresses, more than the 65534/);
    assert.match(e.message, /\/16 or longer/);
    return true;
  });
});

Deno.test("ipv4Hosts() refuses at the call, before iteration, with a configured maximum", () => {
  assert.throws(() => ipv4Hosts("10.0.0.0/24", { maxHosts: 126 }), /\/25 or longer/); // a /25 has 126
  assert.equal([...ipv4Hosts("10.0.0.0/25", { maxHosts: 126 })].length, 126);
});

Deno.test("ipv4Hosts() refuses an IPv6 network and says only hosts already seen are probed", () => {
  assert.throws(() => ipv4Hosts("2001:db8::/120"), /IPv6.*only IPv6 hosts already seen are probed/);
});

Deno.test("parseCidr() refuses text that is not a network, naming it", () => {
  for (const bad of ["10.0.0.0", "10.0.0.0/33", "10.0.0/8", "2001:db8::/129", "x/4", "10.0.0.0/-1", ""]) {
    assert.throws(() => parseCidr(bad), (e: unknown) => e instanceof RangeError && e.message.includes(bad));
  }
});

Deno.test("cidrContains() tests membership in IPv4 and IPv6 networks and never across families", () => {
  const v4 = parseCidr("10.20.0.0/14");
  assert.ok(cidrContains(v4, "10.23.255.255"));
  assert.ok(!cidrContains(v4, "10.24.0.0"));
  assert.ok(!cidrContains(v4, "::ffff:10.20.0.1"));
  assert.ok(!cidrContains(v4, "not an address"));
  const v6 = parseCidr("2001:db8:abcd::/48");
  assert.ok(cidrContains(v6, "2001:db8:abcd:ffff::1"));
  assert.ok(!cidrContains(v6, "2001:db8:abce::1"));
  assert.ok(cidrContains(parseCidr("0.0.0.0/0"), "203.0.113.9"));
});

Deno.test("cidrText() gives the normalised network", () => {
  assert.equal(cidrText(parseCidr("192.0.2.77/26")), "192.0.2.64/26");
  assert.equal(cidrText(parseCidr("2001:DB8:0:0:1::5/64")), "2001:db8::/64");
});

Deno.test("ipv4HostCount() follows RFC 3021 for /31", () => {
  assert.deepEqual([24, 30, 31, 32].map(ipv4HostCount), [254, 2, 2, 1]);
});
