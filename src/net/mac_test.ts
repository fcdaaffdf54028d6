import assert from "node:assert/strict";
import { isLocallyAdministered, isMulticast, macHexFragment, normalizeMac, parseMac } from "./mac.ts";
import { mac48 } from "./bytes.ts";

Deno.test("parseMac() reads colon, dash, Cisco dotted and bare spellings in any case", () => {
  for (
    const t of [
      "00:1a:2b:3c:4d:5e",
      "00-1A-2B-3C-4D-5E",
      "001a.2b3c.4d5e",
      "001A2B3C4D5E",
      "00:1a:2B:3c:4D:5e",
    ]
  ) {
    assert.equal(parseMac(t), 0x001a2b3c4d5e, t);
    assert.equal(normalizeMac(t), "00:1a:2b:3c:4d:5e", t);
  }
  assert.equal(parseMac("ff:ff:ff:ff:ff:ff"), 0xffffffffffff);
  assert.equal(normalizeMac("FF:FF:FF:FF:FF:FF"), "ff:ff:ff:ff:ff:ff");
  assert.equal(normalizeMac("000000000001"), "00:00:00:00:00:01");
});

Deno.test("parseMac() refuses short, long, mixed-separator, unpadded and non-hex text", () => {
  const bad = [
    "",
    "x",
    "00:1a:2b:3c:4d",
    "00:1a:2b:3c:4d:5e:6f",
    "00:1a-2b:3c:4d:5e",
    "00:1a:2b:3c:4d:5g",
    "0:1a:2b:3c:4d:5e",
    "001a.2b3c.4d5",
    "001a2b3c4d5e0",
    " 00:1a:2b:3c:4d:5e",
  ];
  for (const t of bad) {
    assert.equal(parseMac(t), undefined, t);
    assert.equal(normalizeMac(t), null, t);
  }
});

Deno.test("parseMac() reads every separated spelling as its octets say, and refuses each byte out of place", () => {
  // The octets are written here with toString(16), independently of the parser's digit arithmetic.
  let seed = 7;
  const byte = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 256;
  for (let n = 0; n < 2000; n++) {
    const octets = Array.from({ length: 6 }, byte);
    const value = octets.reduce((v, o) => v * 256 + o, 0);
    const sep = n % 2 === 0 ? ":" : "-";
    const text = octets.map((o) => o.toString(16).padStart(2, "0")).join(sep);
    assert.equal(parseMac(n % 3 === 0 ? text.toUpperCase() : text), value, text);
    // One character replaced by another that does not belong there (the other separator, a hex digit's
    // neighbours in ASCII, a space): refused wherever it is.
    const at = n % 17;
    for (const c of ["g", "G", "@", "`", "/", ":", "-", " ", "\u00e9"]) {
      if (c === text[at]) continue;
      const broken = text.slice(0, at) + c + text.slice(at + 1);
      assert.equal(parseMac(broken), undefined, broken);
    }
  }
});

Deno.test("isLocallyAdministered() and isMulticast() read the U/L and I/G bits of the first octet", () => {
  for (let first = 0; first < 256; first++) {
    const mac = first * 2 ** 40 + 0x123456789a;
    // IEEE 802-2014 §8.2: bit 0 of the first octet is I/G (group), bit 1 is U/L (local).
    assert.equal(isMulticast(mac), first % 2 === 1, first.toString(16));
    assert.equal(isLocallyAdministered(mac), Math.floor(first / 2) % 2 === 1, first.toString(16));
  }
  assert.equal(isLocallyAdministered(0xdaa119000001), true);
  assert.equal(isLocallyAdministered(0xfc0000000001), false);
  assert.equal(isMulticast(0xffffffffffff), true);
});

Deno.test("macHexFragment() turns dash, Cisco and bare MAC fragments into hex and leaves addresses alone", () => {
  assert.equal(macHexFragment("00-1A-2b"), "001a2b");
  assert.equal(macHexFragment("00-1a-"), "001a");
  assert.equal(macHexFragment("001a.2b3c"), "001a2b3c");
  assert.equal(macHexFragment("001a2b"), "001a2b");
  for (const t of ["10.0", "10.0.0.1", "00:1a:2b", "cisco", "00-1", "001a2", "001a2b3c4d5e6"]) {
    assert.equal(macHexFragment(t), null, t);
  }
});

Deno.test("mac48() of a PhysAddress's six octets is the MAC parseMac() reads from their text", () => {
  for (
    const bytes of [[0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [
      0x80,
      0,
      0,
      0,
      0,
      1,
    ]]
  ) {
    const text = bytes.map((b) => b.toString(16).padStart(2, "0")).join(":");
    assert.equal(mac48(Uint8Array.from(bytes), 0), parseMac(text), text);
  }
});
