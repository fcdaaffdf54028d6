import assert from "node:assert/strict";

const assertEquals = (a: unknown, b: unknown, m?: string) => assert.deepEqual(a, b, m);
import { parseIp } from "../net/mod.ts";
import { parseBlocklist } from "./blocklist_file.ts";

const enc = (s: string) => new TextEncoder().encode(s);

function hit(text: string, ip: string): string | null {
  const { set } = parseBlocklist(enc(text));
  const p = parseIp(ip)!;
  const i = set.find(p.family, p.words, 0);
  return i < 0 ? null : set.entryText(i);
}

Deno.test("parseBlocklist() reads Spamhaus DROP lines with their SBL column and ; comments", () => {
  const drop = "; Spamhaus DROP List 2026/12/04 - (c) 2026 The Spamhaus Project\n" +
    "; Last-Modified: Fri, 04 Dec 2026 10:00:00 GMT\n" +
    "1.10.16.0/20 ; SBL256894\r\n" +
    "1.19.0.0/16 ; SBL434604\r\n";
  const p = parseBlocklist(enc(drop));
  assertEquals([p.entries, p.malformed], [2, 0]);
  assertEquals(hit(drop, "1.10.31.255"), "1.10.16.0/20");
  assertEquals(hit(drop, "1.10.32.0"), null);
});

Deno.test("parseBlocklist() reads FireHOL netsets: # comments, bare addresses, networks, blank lines", () => {
  const netset = "#\n# firehol_level1\n#\n\n0.0.0.0/8\n5.188.10.0/23\n  192.0.2.7\t# a note\n2001:db8::/32\n";
  const p = parseBlocklist(enc(netset));
  assertEquals([p.entries, p.malformed], [4, 0]);
  assertEquals(hit(netset, "5.188.11.1"), "5.188.10.0/23");
  assertEquals(hit(netset, "192.0.2.7"), "192.0.2.7/32");
  assertEquals(hit(netset, "2001:db8::42"), "2001:db8::/32");
});

Deno.test("parseBlocklist() reads ranges and Spamhaus JSON lines, skipping the metadata line", () => {
  const text = "198.51.100.10-198.51.100.20\n" +
    '{"cidr":"203.0.113.0/25","sblid":"SBL1","rir":"arin"}\n' +
    '{"type":"metadata","timestamp":1733300000,"size":2}\n';
  const p = parseBlocklist(enc(text));
  assertEquals([p.entries, p.malformed], [2, 0]);
  assertEquals(hit(text, "198.51.100.20") !== null, true);
  assertEquals(hit(text, "198.51.100.21"), null);
  assertEquals(hit(text, "203.0.113.100"), "203.0.113.0/25");
});

Deno.test("parseBlocklist() counts lines it does not understand and keeps the first, never throws", () => {
  const text = "192.0.2.1\n300.1.1.1\n192.0.2.0/33\nhello\n192.0.2.5/24/1\n1.2.3\n{bad json\n\u0000\u00ff\n";
  const p = parseBlocklist(enc(text));
  assertEquals(p.entries, 1);
  assertEquals(p.malformed, 7);
  assertEquals(p.firstMalformed, { line: 2, text: "300.1.1.1" });
});

Deno.test("parseBlocklist() survives random bytes with a count, not a throw", () => {
  let seed = 99;
  const bytes = new Uint8Array(64 * 1024);
  for (let i = 0; i < bytes.length; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    bytes[i] = seed % 7 === 0 ? 0x0a : seed >>> 24;
  }
  const p = parseBlocklist(bytes);
  assertEquals(p.entries + p.malformed > 0, true);
});
