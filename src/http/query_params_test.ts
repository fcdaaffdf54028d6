import assert from "node:assert/strict";
import { BadParameter } from "./errors.ts";
import {
  checkParameters,
  encodeCursor,
  parseChoice,
  parseCidrParameter,
  parseCursor,
  parseFilterParameters,
  parseIpParameter,
  parseLimit,
  parsePortParameter,
  parseProtocolParameter,
  parseTimeParameter,
  parseWholeNumber,
  wantsCsv,
} from "./query_params.ts";

/** Asserts that `fn` throws BadParameter for `parameter` with a message holding every `parts`. */
function refuses(fn: () => unknown, parameter: string, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof BadParameter, `expected BadParameter, got ${e}`);
    assert.equal(e.parameter, parameter);
    for (const p of parts) {
      assert.ok(e.message.includes(p), `message ${JSON.stringify(e.message)} lacks ${p}`);
    }
    return true;
  });
}

Deno.test("checkParameters() refuses an unknown or repeated parameter and lists what is accepted", () => {
  const ok = checkParameters(new URLSearchParams("a=1&b="), ["a", "b", "c"]);
  assert.deepEqual([...ok], [["a", "1"], ["b", ""]]);
  refuses(
    () => checkParameters(new URLSearchParams("a=1&prot=tcp"), ["a", "protocol"]),
    "prot",
    "a, protocol",
  );
  refuses(() => checkParameters(new URLSearchParams("a=1&a=2"), ["a"]), "a", "more than once");
});

Deno.test("parseWholeNumber() and parseLimit() accept plain decimal digits in range only", () => {
  assert.equal(parseLimit("limit", "1", 1000), 1);
  assert.equal(parseLimit("limit", "1000", 1000), 1000);
  assert.equal(parseLimit("limit", "007", 1000), 7);
  refuses(() => parseLimit("limit", "5000", 1000), "limit", `limit="5000"`, "from 1 to 1000");
  for (const bad of ["0", "-1", "+5", "1.5", "1e2", " 5", "0x10", "", "ten", "99999999999999999999"]) {
    refuses(() => parseLimit("limit", bad, 1000), "limit");
  }
  assert.equal(parseWholeNumber("min_bytes", "0", 0, Number.MAX_SAFE_INTEGER), 0);
  assert.equal(parseWholeNumber("min_bytes", "9007199254740991", 0, Number.MAX_SAFE_INTEGER), 2 ** 53 - 1);
  refuses(
    () => parseWholeNumber("min_bytes", "9007199254740992", 0, Number.MAX_SAFE_INTEGER),
    "min_bytes",
    "≥ 0",
  );
});

Deno.test("parsePortParameter() accepts 0–65535", () => {
  assert.equal(parsePortParameter("port", "0"), 0);
  assert.equal(parsePortParameter("port", "65535"), 65535);
  refuses(() => parsePortParameter("port", "65536"), "port", "0 to 65535");
  refuses(() => parsePortParameter("port", "http"), "port");
});

Deno.test("parseProtocolParameter() accepts numbers 0–255 and the common names in any case", () => {
  assert.equal(parseProtocolParameter("protocol", "tcp"), 6);
  assert.equal(parseProtocolParameter("protocol", "UDP"), 17);
  assert.equal(parseProtocolParameter("protocol", "icmp"), 1);
  assert.equal(parseProtocolParameter("protocol", "icmpv6"), 58);
  assert.equal(parseProtocolParameter("protocol", "47"), 47);
  assert.equal(parseProtocolParameter("protocol", "0"), 0);
  refuses(() => parseProtocolParameter("protocol", "256"), "protocol", "0–255", "tcp");
  refuses(() => parseProtocolParameter("protocol", "toString"), "protocol");
  refuses(() => parseProtocolParameter("protocol", "constructor"), "protocol");
  refuses(() => parseProtocolParameter("protocol", "tcp "), "protocol");
});

Deno.test("parseIpParameter() reads IPv4 and IPv6 into words", () => {
  assert.deepEqual(parseIpParameter("ip", "192.0.2.1"), {
    family: 4,
    words: Uint32Array.of(0xc0000201, 0, 0, 0),
  });
  assert.deepEqual(parseIpParameter("ip", "2001:db8::1"), {
    family: 6,
    words: Uint32Array.of(0x20010db8, 0, 0, 1),
  });
  for (const bad of ["", "192.0.2", "192.0.2.256", "2001:db8:::1", "example.com", "10.0.0.0/8"]) {
    refuses(() => parseIpParameter("src_ip", bad), "src_ip", "IPv4 or IPv6");
  }
});

Deno.test("parseCidrParameter() reads networks, clears host bits and refuses bad prefixes", () => {
  assert.deepEqual(parseCidrParameter("cidr", "192.0.2.77/24"), {
    family: 4,
    prefix: 24,
    network: Uint32Array.of(0xc0000200, 0, 0, 0),
    mask: Uint32Array.of(0xffffff00, 0, 0, 0),
  });
  assert.deepEqual(parseCidrParameter("cidr", "0.0.0.0/0").mask, new Uint32Array(4));
  assert.deepEqual(parseCidrParameter("cidr", "2001:db8:1:2::/36"), {
    family: 6,
    prefix: 36,
    network: Uint32Array.of(0x20010db8, 0x00000000, 0, 0),
    mask: Uint32Array.of(0xffffffff, 0xf0000000, 0, 0),
  });
  assert.deepEqual(
    parseCidrParameter("cidr", "::1/128").mask,
    Uint32Array.of(~0 >>> 0, ~0 >>> 0, ~0 >>> 0, ~0 >>> 0),
  );
  for (
    const bad of ["10.0.0.0", "10.0.0.0/33", "2001:db8::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0/8", "/8"]
  ) {
    refuses(() => parseCidrParameter("cidr", bad), "cidr", "address/prefix");
  }
});

Deno.test("parseTimeParameter() reads ISO 8601 with a zone, dates and epoch seconds", () => {
  const t = Date.UTC(2024, 4, 1, 12, 0, 0);
  assert.equal(parseTimeParameter("since", "2024-05-01T12:00:00Z"), t);
  assert.equal(parseTimeParameter("since", "2024-05-01T14:00:00+02:00"), t);
  assert.equal(parseTimeParameter("since", "2024-05-01T14:00:00 02:00"), t, "a + decoded as a space");
  assert.equal(parseTimeParameter("since", "2024-05-01T07:30:00-0430"), t);
  assert.equal(parseTimeParameter("since", "2024-05-01T12:00Z"), t);
  assert.equal(parseTimeParameter("since", "2024-05-01T12:00:00.250Z"), t + 250);
  assert.equal(parseTimeParameter("since", "2024-05-01"), Date.UTC(2024, 4, 1));
  assert.equal(parseTimeParameter("since", "2024-02-29"), Date.UTC(2024, 1, 29));
  assert.equal(parseTimeParameter("since", String(t / 1000)), t);
  assert.equal(parseTimeParameter("since", "1714564800.5"), t + 500);
  assert.equal(parseTimeParameter("since", "0"), 0);
  for (
    const bad of [
      "2024-05-01T12:00:00", // no zone: whose local time?
      "2023-02-29",
      "2024-13-01",
      "2024-04-31",
      "2024-05-01T24:00:00Z",
      "2024-05-01T12:60:00Z",
      "2024-05-01T12:00:00+24:00",
      "yesterday",
      "-5",
      "1e9",
      "",
      "99999999999999",
    ]
  ) refuses(() => parseTimeParameter("until", bad), "until", "ISO 8601", "epoch seconds");
});

Deno.test("parseChoice() accepts exactly one of the choices", () => {
  assert.equal(parseChoice("sort", "bytes", ["bytes", "packets"]), "bytes");
  refuses(() => parseChoice("sort", "Bytes", ["bytes", "packets"]), "sort", "one of bytes, packets");
});

Deno.test("parseFilterParameters() builds the filter and refuses until before since", () => {
  const f = parseFilterParameters(
    new Map([["ip", "10.0.0.1"], ["port", "443"], ["protocol", "tcp"], ["min_bytes", "10"], ["since", "0"]]),
  );
  assert.deepEqual(f, {
    ip: { family: 4, words: Uint32Array.of(0x0a000001, 0, 0, 0) },
    port: 443,
    protocol: 6,
    minBytes: 10,
    sinceMs: 0,
  });
  refuses(
    () => parseFilterParameters(new Map([["since", "2024-05-02"], ["until", "2024-05-01"]])),
    "until",
    "before",
  );
  refuses(() => parseFilterParameters(new Map([["dst_ip", "x"]])), "dst_ip");
});

Deno.test("cursors round-trip and are refused when garbled or made for another sort", () => {
  const text = encodeCursor({ sort: "bytes", order: "desc", value: 1234.5, id: 42 });
  assert.match(text, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(parseCursor("cursor", text, "bytes", "desc"), { value: 1234.5, id: 42 });
  refuses(() => parseCursor("cursor", text, "packets", "desc"), "cursor", "sort=bytes&order=desc");
  refuses(() => parseCursor("cursor", text, "bytes", "asc"), "cursor", "order=asc");
  const b64 = (s: string) => btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  for (
    const bad of [
      "",
      "!!!",
      "bm90IGpzb24", // "not json"
      b64("[1,2]"),
      b64('{"s":"bytes","o":"desc","v":"1","i":2}'),
      b64('{"s":"bytes","o":"desc","v":1,"i":-2}'),
      b64('{"s":"bytes","o":"desc","v":1,"i":2,"x":0}'),
      b64('{"s":"bytes","o":"up","v":1,"i":2}'),
      "A".repeat(5000),
    ]
  ) refuses(() => parseCursor("cursor", bad, "bytes", "desc"), "cursor", "next_cursor");
});

Deno.test("wantsCsv() follows format first, then an Accept header preferring text/csv", () => {
  assert.equal(wantsCsv("format", "csv", undefined), true);
  assert.equal(wantsCsv("format", "json", "text/csv"), false);
  refuses(() => wantsCsv("format", "xml", undefined), "format", "json, csv");
  assert.equal(wantsCsv("format", undefined, undefined), false);
  assert.equal(wantsCsv("format", undefined, "text/csv"), true);
  assert.equal(wantsCsv("format", undefined, "application/json, text/csv;q=0.5"), false);
  assert.equal(wantsCsv("format", undefined, "text/csv;q=0.9, application/json;q=0.1"), true);
  assert.equal(wantsCsv("format", undefined, "text/csv;q=0"), false);
  assert.equal(wantsCsv("format", undefined, "*/*"), false);
});
