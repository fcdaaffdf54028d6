import assert from "node:assert/strict";
import { parseDnsMessage } from "./dns.ts";
import { clientHelloServerName } from "./tls_client_hello.ts";
import { httpRequestHost } from "./http_host.ts";

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, "").match(/../g)!.map((x) => parseInt(x, 16)));
const ascii = (s: string) => new TextEncoder().encode(s);

// A response to "www.example.com A": a CNAME to "cdn.example.net" and an A for it, names compressed.
const RESPONSE = hex(`
  1234 8180 0001 0002 0000 0000
  03 777777 07 6578616d706c65 03 636f6d 00 0001 0001
  c00c 0005 0001 0000012c 0011 03 63646e 07 6578616d706c65 03 6e6574 00
  c02d 0001 0001 0000003c 0004 c0000201`); // answer 2: owner → the CNAME target at offset 45, A 192.0.2.1

Deno.test("parseDnsMessage() reads questions, CNAME and A answers through compression pointers", () => {
  const m = parseDnsMessage(RESPONSE, 0, RESPONSE.length)!;
  assert.equal(m.id, 0x1234);
  assert.equal(m.response, true);
  assert.deepEqual(m.questions, [{ name: "www.example.com", type: 1 }]);
  assert.deepEqual(m.answers, [
    { name: "www.example.com", type: 5, ttl: 300, data: "cdn.example.net" },
    { name: "cdn.example.net", type: 1, ttl: 60, data: "192.0.2.1" },
  ]);
  assert.equal(m.truncated, false);
});

Deno.test("parseDnsMessage() keeps the question of a message cut inside its answers, marked truncated", () => {
  const m = parseDnsMessage(RESPONSE, 0, 40)!;
  assert.deepEqual(m.questions.map((q) => q.name), ["www.example.com"]);
  assert.deepEqual(m.answers, []);
  assert.equal(m.truncated, true);
});

Deno.test("parseDnsMessage() gives null for a compression loop and for a message without a question", () => {
  const loop = hex("0001 0100 0001 0000 0000 0000 c00c 0001 0001");
  assert.equal(parseDnsMessage(loop, 0, loop.length), null);
  const none = hex("0001 0100 0000 0000 0000 0000");
  assert.equal(parseDnsMessage(none, 0, none.length), null);
});

/** A TLS 1.2-style ClientHello record with one cipher suite and the given extensions. */
function clientHello(extensions: Uint8Array): Uint8Array {
  const body = [0x03, 0x03, ...new Array(32).fill(7), 0, 0, 2, 0x13, 0x01, 1, 0];
  body.push(extensions.length >> 8, extensions.length & 255, ...extensions);
  const hs = [1, 0, body.length >> 8, body.length & 255, ...body];
  return Uint8Array.from([0x16, 3, 1, hs.length >> 8, hs.length & 255, ...hs]);
}
function sniExtension(name: string): Uint8Array {
  const n = ascii(name), list = [0, n.length >> 8, n.length & 255, ...n];
  return Uint8Array.from([0, 0, 0, list.length + 2, 0, list.length, ...list]);
}

Deno.test("clientHelloServerName() finds the server_name extension after another extension", () => {
  const other = Uint8Array.from([0, 0x0b, 0, 2, 1, 0]); // ec_point_formats
  assert.equal(
    clientHelloServerName(clientHello(Uint8Array.from([...other, ...sniExtension("Mail.Example.ORG")]))),
    "mail.example.org",
  );
});

Deno.test("clientHelloServerName() gives null without SNI, for a ServerHello, and for a cut record", () => {
  assert.equal(clientHelloServerName(clientHello(new Uint8Array(0))), null);
  const hello = clientHello(sniExtension("a.example"));
  const server = hello.slice();
  server[5] = 2;
  assert.equal(clientHelloServerName(server), null);
  assert.equal(clientHelloServerName(hello.subarray(0, hello.length - 3)), null);
});

Deno.test("httpRequestHost() reads Host without its port, any case, and the authority of an absolute target", () => {
  assert.equal(
    httpRequestHost(ascii("GET / HTTP/1.1\r\nUser-Agent: x\r\nhOsT:  WWW.Example.com:8080 \r\n\r\n")),
    "www.example.com",
  );
  assert.equal(
    httpRequestHost(ascii("GET http://proxy.example/x HTTP/1.1\r\nHost: other\r\n\r\n")),
    "proxy.example",
  );
  assert.equal(httpRequestHost(ascii("GET / HTTP/1.1\r\nHost: [2001:db8::1]:80\r\n\r\n")), "[2001:db8::1]");
  assert.equal(httpRequestHost(ascii("GET / HTTP/1.1\r\nAccept: */*\r\n\r\nHost: late\r\n")), null);
  assert.equal(httpRequestHost(ascii("GET / HTTP/1.1\r\nHost: cut-off")), null);
});

Deno.test("the name decoders return null or a value for 20,000 mutated inputs, never throw", () => {
  let seed = 15;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const seeds = [
    RESPONSE,
    clientHello(sniExtension("x.example")),
    ascii("GET / HTTP/1.1\r\nHost: h\r\n\r\n"),
  ];
  for (let i = 0; i < 20_000; i++) {
    const b = seeds[i % 3].slice(0, 1 + Math.floor(rnd() * seeds[i % 3].length));
    for (let k = 0; k < 4; k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
    parseDnsMessage(b, 0, b.length);
    clientHelloServerName(b);
    httpRequestHost(b);
  }
});
