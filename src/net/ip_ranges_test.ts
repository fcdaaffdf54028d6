import assert from "node:assert/strict";

const assertEquals = (a: unknown, b: unknown, m?: string) => assert.deepEqual(a, b, m);
import { parseIp } from "./address.ts";
import { IpRangeSetBuilder } from "./ip_ranges.ts";

function words(ip: string): Uint32Array {
  return parseIp(ip)!.words;
}

function finds(set: ReturnType<IpRangeSetBuilder["build"]>, ip: string): string | null {
  const p = parseIp(ip)!;
  const i = set.find(p.family, p.words, 0);
  return i < 0 ? null : set.entryText(i);
}

Deno.test("IpRangeSet.find() names the widest entry holding an address and misses the gaps between entries", () => {
  const b = new IpRangeSetBuilder();
  b.addV4(words("198.51.100.0")[0], 24);
  b.addV4(words("198.51.100.128")[0], 25); // inside the /24: dropped
  b.addV4(words("203.0.113.7")[0], 32);
  b.addV4(words("203.0.113.8")[0], 32); // adjacent: kept as its own entry
  b.addV4(words("10.0.0.0")[0], 8);
  const s = b.build();
  assertEquals(s.sizeV4, 4);
  assertEquals(finds(s, "198.51.100.200"), "198.51.100.0/24");
  assertEquals(finds(s, "198.51.101.0"), null);
  assertEquals(finds(s, "203.0.113.7"), "203.0.113.7/32");
  assertEquals(finds(s, "203.0.113.8"), "203.0.113.8/32");
  assertEquals(finds(s, "203.0.113.9"), null);
  assertEquals(finds(s, "10.255.255.255"), "10.0.0.0/8");
  assertEquals(finds(s, "9.255.255.255"), null);
  assertEquals(finds(s, "0.0.0.0"), null);
  assertEquals(finds(s, "255.255.255.255"), null);
});

Deno.test("IpRangeSetBuilder.addV4Range() covers exactly the range with the networks that make it up", () => {
  const b = new IpRangeSetBuilder();
  b.addV4Range(words("192.0.2.3")[0], words("192.0.2.17")[0]);
  const s = b.build();
  // 3/32, 4/30, 8/29, 16/31
  assertEquals(s.sizeV4, 4);
  for (let o = 0; o < 32; o++) {
    const hit = finds(s, `192.0.2.${o}`) !== null;
    assertEquals(hit, o >= 3 && o <= 17, `192.0.2.${o}`);
  }
  assertEquals(finds(s, "192.0.2.9"), "192.0.2.8/29");
});

Deno.test("IpRangeSet finds IPv6 networks and keeps the families apart", () => {
  const b = new IpRangeSetBuilder();
  b.addV6(words("2001:db8::"), 32);
  b.addV6(words("2001:db8:1::"), 48); // nested
  b.addV6(words("2001:db9::5"), 128);
  b.addV4(0, 0); // every IPv4 address
  const s = b.build();
  assertEquals(s.sizeV6, 2);
  assertEquals(finds(s, "2001:db8:ffff::1"), "2001:db8::/32");
  assertEquals(finds(s, "2001:db9::5"), "2001:db9::5/128");
  assertEquals(finds(s, "2001:db9::6"), null);
  assertEquals(finds(s, "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff"), null);
  assertEquals(finds(s, "::ffff:1.2.3.4"), null);
  assertEquals(finds(s, "1.2.3.4"), "0.0.0.0/0");
});

Deno.test("IpRangeSet agrees with a linear scan over random networks", () => {
  let seed = 7;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const nets: [number, number][] = [];
  const b = new IpRangeSetBuilder();
  for (let i = 0; i < 2000; i++) {
    const p = 16 + (rnd() % 17), a = (rnd() & (p === 0 ? 0 : (0xffffffff << (32 - p)))) >>> 0;
    nets.push([a, a + 2 ** (32 - p) - 1]);
    b.addV4(a, p);
  }
  const s = b.build();
  const w = new Uint32Array(4);
  for (let i = 0; i < 20_000; i++) {
    // half the probes inside a listed network, half anywhere
    w[0] = i % 2 ? rnd() : nets[rnd() % nets.length][0] + (rnd() & 0xff);
    const expect = nets.some(([f, l]) => w[0] >= f && w[0] <= l);
    assertEquals(s.find(4, w, 0) >= 0, expect, `address ${w[0]}`);
  }
});
