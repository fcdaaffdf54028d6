import assert from "node:assert/strict";
import { isVirtualRouterMac, virtualRouterProtocol } from "./virtual_macs.ts";

/** "00:00:5e:00:01:01" → 48-bit number, written here rather than borrowed from src/. */
function mac(text: string): number {
  return parseInt(text.replaceAll(":", ""), 16);
}

Deno.test("isVirtualRouterMac() knows the whole VRRP IPv4 range 00:00:5e:00:01:00–ff (RFC 5798 §7.3), which CARP shares", () => {
  for (const m of ["00:00:5e:00:01:00", "00:00:5e:00:01:01", "00:00:5e:00:01:ff"]) {
    assert.equal(virtualRouterProtocol(mac(m)), "VRRP/CARP (IPv4)", m);
  }
});

Deno.test("isVirtualRouterMac() knows VRRP for IPv6 00:00:5e:00:02:xx", () => {
  assert.equal(virtualRouterProtocol(mac("00:00:5e:00:02:07")), "VRRP (IPv6)");
});

Deno.test("isVirtualRouterMac() knows HSRP v1 00:00:0c:07:ac:xx and HSRP v2 00:00:0c:9f:f0:00–0f:ff", () => {
  assert.equal(virtualRouterProtocol(mac("00:00:0c:07:ac:00")), "HSRP v1");
  assert.equal(virtualRouterProtocol(mac("00:00:0c:07:ac:ff")), "HSRP v1");
  assert.equal(virtualRouterProtocol(mac("00:00:0c:9f:f0:00")), "HSRP v2");
  assert.equal(virtualRouterProtocol(mac("00:00:0c:9f:ff:ff")), "HSRP v2");
});

Deno.test("isVirtualRouterMac() knows GLBP 00:07:b4:xx:xx:xx", () => {
  assert.equal(virtualRouterProtocol(mac("00:07:b4:00:01:02")), "GLBP");
  assert.equal(virtualRouterProtocol(mac("00:07:b4:ff:ff:ff")), "GLBP");
});

Deno.test("isVirtualRouterMac() is false for the neighbours of each range and for ordinary MACs", () => {
  for (
    const m of [
      "00:00:5e:00:00:ff", // IANA unicast, not VRRP
      "00:00:5e:00:03:01",
      "00:00:0c:07:ab:ff",
      "00:00:0c:07:ad:00",
      "00:00:0c:9f:ef:ff",
      "00:00:0c:a0:00:00",
      "00:07:b3:ff:ff:ff",
      "00:07:b5:00:00:00",
      "52:54:00:12:34:56",
      "00:00:00:00:00:00",
      "ff:ff:ff:ff:ff:ff",
    ]
  ) {
    assert.equal(isVirtualRouterMac(mac(m)), false, m);
  }
});
