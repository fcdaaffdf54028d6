import assert from "node:assert/strict";
import { seededRng } from "../../tests/helpers/seeded_rng.ts";
import {
  compareIps,
  formatIp,
  formatIpv4,
  formatIpv6,
  formatMac,
  ipSortKey,
  parseIp,
  parseIpv4,
  sortByIp,
} from "./address.ts";

/** Eight 16-bit groups → the four words formatIpv6 reads. */
function words(...g: number[]): number[] {
  assert.equal(g.length, 8);
  return [0, 1, 2, 3].map((i) => ((g[2 * i] << 16) | g[2 * i + 1]) >>> 0);
}

/** RFC 5952 text forms, from the RFC's own sections, with the groups they stand for. */
const RFC5952: [string, number[], string][] = [
  ["2001:db8::1", words(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), "§4 example"],
  ["::", words(0, 0, 0, 0, 0, 0, 0, 0), "unspecified address"],
  ["::1", words(0, 0, 0, 0, 0, 0, 0, 1), "loopback"],
  ["1::", words(1, 0, 0, 0, 0, 0, 0, 0), "trailing run"],
  ["2001:db8::2:1", words(0x2001, 0xdb8, 0, 0, 0, 0, 2, 1), "§4.2.1: shorten as much as possible"],
  ["2001:db8:0:1:1:1:1:1", words(0x2001, 0xdb8, 0, 1, 1, 1, 1, 1), "§4.2.2: one 0 group is not compressed"],
  ["2001:0:0:1::1", words(0x2001, 0, 0, 1, 0, 0, 0, 1), "§4.2.3: the longest run is compressed"],
  ["2001:db8::1:0:0:1", words(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1), "§4.2.3: on a tie, the first run"],
  ["2001:db8::aaaa:0:0:1", words(0x2001, 0xdb8, 0, 0, 0xaaaa, 0, 0, 1), "§4.3: lower case"],
  [
    "fe80::200:86ff:fe05:80da",
    words(0xfe80, 0, 0, 0, 0x200, 0x86ff, 0xfe05, 0x80da),
    "§4.1: no leading zeros",
  ],
  ["::ffff:192.0.2.1", words(0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201), "§5: IPv4-mapped keeps the dotted quad"],
  ["1:2:3:4:5:6:7:8", words(1, 2, 3, 4, 5, 6, 7, 8), "no zero group"],
  ["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", words(...new Array(8).fill(0xffff)), "all ones"],
];

for (const [text, w, why] of RFC5952) {
  Deno.test(`formatIpv6() writes ${text} (RFC 5952 ${why})`, () => {
    assert.equal(formatIpv6(w, 0), text);
  });
}

Deno.test("formatIpv6() reads the four words at an offset", () => {
  const col = new Uint32Array(12);
  col.set(words(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1), 8);
  assert.equal(formatIpv6(col, 8), "2001:db8::1:0:0:1");
});

Deno.test("parseIp() reads non-canonical IPv6 forms (RFC 4291 §2.2)", () => {
  const cases: [string, number[]][] = [
    ["2001:DB8::1", words(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)],
    ["2001:0db8:0000:0000:0000:0000:0000:0001", words(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)],
    ["2001:db8:0:0:1:0:0:1", words(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1)],
    ["2001:db8::0:1", words(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)],
    ["1:2:3:4:5:6:7::", words(1, 2, 3, 4, 5, 6, 7, 0)],
    ["::2:3:4:5:6:7:8", words(0, 2, 3, 4, 5, 6, 7, 8)],
    ["::FFFF:10.1.2.3", words(0, 0, 0, 0, 0, 0xffff, 0x0a01, 0x0203)],
    ["64:ff9b::192.0.2.33", words(0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x0221)],
  ];
  for (const [text, w] of cases) {
    const p = parseIp(text);
    assert.equal(p?.family, 6, text);
    assert.deepEqual(Array.from(p!.words), w, text);
  }
});

Deno.test("parseIp() and formatIp() round-trip RFC 5952 text", () => {
  for (const [text, w] of RFC5952) {
    const p = parseIp(text);
    assert.ok(p, text);
    assert.deepEqual(Array.from(p.words), w, text);
    assert.equal(formatIp(p.family, p.words, 0), text);
  }
});

Deno.test("parseIp() and formatIpv6() round-trip random addresses with zero runs", () => {
  let seed = 0x2545f491;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / (1 << 24);
  for (let i = 0; i < 2000; i++) {
    // Groups are zero half of the time, so runs of every length and position occur.
    const g = Array.from({ length: 8 }, () => (rand() < 0.5 ? 0 : Math.floor(rand() * 0x10000)));
    const w = words(...g);
    const text = formatIpv6(w, 0);
    const p = parseIp(text);
    assert.ok(p, text);
    assert.deepEqual(Array.from(p.words), w, text);
    assert.ok(!text.includes(":::") && text.split("::").length <= 2, text);
  }
});

Deno.test("parseIp() reads IPv4 into word 0", () => {
  assert.deepEqual(parseIp("192.0.2.1"), { family: 4, words: Uint32Array.of(0xc0000201, 0, 0, 0) });
  assert.deepEqual(parseIp("255.255.255.255")?.words[0], 0xffffffff);
  assert.equal(formatIp(4, Uint32Array.of(0xc0000201, 0, 0, 0), 0), "192.0.2.1");
});

Deno.test("parseIp() rejects garbage", () => {
  const bad = [
    "",
    " ",
    "1.2.3",
    "1.2.3.4.5",
    "256.1.1.1",
    "01.2.3.4", // leading zero: octal in some parsers, refused rather than guessed
    "1.2.3.4 ",
    " ::1",
    "1.2.3.-4",
    "a.b.c.d",
    ":",
    ":::",
    "::1::",
    "1::2::3",
    "1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:8:9",
    "1::2:3:4:5:6:7:8", // :: must stand for at least one group
    "1:2:3:4:5:6:7:8::",
    "12345::",
    "g::1",
    ":1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:",
    "::ffff:1.2.3",
    "::ffff:256.0.0.1",
    "::1.2.3.4:5",
    "fe80::1%eth0",
    "[::1]",
    "localhost",
  ];
  for (const text of bad) assert.equal(parseIp(text), undefined, JSON.stringify(text));
});

Deno.test({
  // Regression (was a bug): src/flow/address.ts parseIp() accepts a dotted quad as the last group *before* "::"
  // ("1.2.3.4::" → words [0x01020304, 0, 0, 0]); RFC 4291 §2.2 allows it only as the last 32 bits.
  name: "parseIp() rejects a dotted quad that is not the last 32 bits",
  fn() {
    assert.equal(parseIp("1.2.3.4::"), undefined);
    assert.equal(parseIp("1:2:1.2.3.4::"), undefined);
  },
});

Deno.test("parseIpv4() and formatIpv4() agree on dotted quads", () => {
  assert.equal(parseIpv4("10.0.0.1"), 0x0a000001);
  assert.equal(parseIpv4("0.0.0.0"), 0);
  assert.equal(parseIpv4("1.2.3.256"), undefined);
  assert.equal(formatIpv4(0xc6336407), "198.51.100.7");
  assert.equal(formatIpv4(0xffffffff), "255.255.255.255");
  assert.equal(formatIpv4(0), "0.0.0.0");
});

Deno.test("parseIpv4() accepts exactly what the dotted-quad grammar does (against a regular expression)", () => {
  // The grammar written once more, independently: four 1–3 digit parts, each ≤ 255, no leading zero.
  const reference = (text: string): number | undefined => {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
    if (!m || m.slice(1).some((p) => Number(p) > 255 || (p.length > 1 && p[0] === "0"))) return undefined;
    return m.slice(1).reduce((w, p) => w * 256 + Number(p), 0);
  };
  const edges = [
    "",
    "1.2.3",
    "1.2.3.4.",
    ".1.2.3.4",
    "1..2.3",
    "01.2.3.4",
    "1.2.3.04",
    "0.0.0.0",
    "255.255.255.255",
    "256.1.1.1",
    "1.2.3.4 ",
    " 1.2.3.4",
    "1.2.3.4\n",
    "1.2.3.1000",
    "1.2.3.٣",
    "1.2.3.-4",
    "100.200.250.255",
    "000.1.1.1",
    "1.2.3.4.5",
    "1e2.1.1.1",
  ];
  let seed = 7;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const alphabet = "0123456789.....25a ";
  const random = Array.from({ length: 20_000 }, () => {
    let t = "";
    for (let k = next() % 17; k > 0; k--) t += alphabet[next() % alphabet.length];
    return t;
  });
  // Near-misses of the grammar: four parts of 1–3 digits, some over 255 or zero-padded.
  const quads = Array.from({ length: 20_000 }, () =>
    Array.from({ length: 4 }, () => {
      const digits = 1 + next() % 3;
      return String(next() % 10 ** digits).padStart(next() % 4 === 0 ? digits : 1, "0");
    }).join("."));
  assert.ok(quads.filter((t) => reference(t) !== undefined).length > 5_000, "many are addresses");
  for (const t of [...edges, ...random, ...quads]) {
    assert.equal(parseIpv4(t), reference(t), JSON.stringify(t));
  }
});

Deno.test("formatMac() writes six lower-case, zero-padded hex pairs", () => {
  assert.equal(formatMac(0x020000000001), "02:00:00:00:00:01");
  assert.equal(formatMac(0x0a1b2c3d4e5f), "0a:1b:2c:3d:4e:5f");
  assert.equal(formatMac(0xffffffffffff), "ff:ff:ff:ff:ff:ff");
  assert.equal(formatMac(0), "00:00:00:00:00:00");
  assert.equal(formatMac(0x800000000000), "80:00:00:00:00:00");
});

Deno.test("sortByIp() gives the order of ipSortKey with ties kept in place, whatever the mix of addresses", () => {
  const rng = seededRng(0x0bad_cafe);
  const pool = [
    ...Array.from({ length: 40 }, () => [rng() >>> 24, rng() & 255, rng() & 255, rng() & 255].join(".")),
    "0.0.0.0",
    "255.255.255.255",
    "10.0.0.1",
    "::1",
    "2001:db8::1",
    "fe80::1",
    "::ffff:10.0.0.1",
    "not an address",
    "010.0.0.1", // a leading zero: not an address here
    "",
  ];
  for (let round = 0; round < 50; round++) {
    // Repeats of one address are common (several things on one host): the tag tells them apart.
    const devices = Array.from(
      { length: 1 + (rng() % 120) },
      (_, tag) => ({ ip: pool[rng() % pool.length], tag }),
    );
    const expected = devices.map((d, i) => ({ k: ipSortKey(d.ip), i, d }))
      .sort((a, b) => a.k < b.k ? -1 : a.k > b.k ? 1 : a.i - b.i)
      .map((x) => x.d);
    assert.deepEqual(sortByIp(devices), expected, `round ${round}`);
  }
});

Deno.test("sortByIp() orders random IPv4 addresses as their 32-bit values, IPv6 after them", () => {
  const rng = seededRng(0x5eed_d1ce);
  const v4: number[] = Array.from({ length: 500 }, rng);
  const text = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
  const devices: { ip: string }[] = [
    ...v4.map((n) => ({ ip: text(n) })),
    { ip: "::1" },
    { ip: "fe80::1" },
  ];
  // Fisher–Yates: the input in no particular order.
  for (let i = devices.length - 1; i > 0; i--) {
    const j = rng() % (i + 1);
    [devices[i], devices[j]] = [devices[j], devices[i]];
  }
  const sorted = sortByIp(devices).map((d) => d.ip);
  const expected = [...v4].sort((a, b) => a - b).map(text);
  assert.deepEqual(sorted.slice(0, 500), expected);
  assert.deepEqual(sorted.slice(500), ["::1", "fe80::1"]);
  assert.equal(compareIps("10.0.0.9", "10.0.0.10"), -1);
  assert.equal(compareIps("2001:db8::a", "2001:db8::9"), 1);
});
