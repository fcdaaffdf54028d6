import assert from "node:assert/strict";
import { PAYLOAD_HINT_NAMES, PayloadHint, payloadHint } from "./payload_hint.ts";
import { Decoder } from "./decoder.ts";
import { LinkType } from "./frame_sink.ts";
import { AsideUse, type PacketBatch } from "./packet_batch.ts";
import { concatBytes, ethernet, ipv4, tcp, udp } from "../../tests/helpers/frames.ts";
import { seededRng } from "../../tests/helpers/seeded_rng.ts";

const text = (s: string) => new TextEncoder().encode(s);
const hintOf = (data: Uint8Array, proto: number, sp: number, dp: number) =>
  payloadHint(data, 0, data.length, proto, sp, dp);

Deno.test("payloadHint() sees HTTP basic authentication in a request's header lines, whatever their case", () => {
  const req = "GET /admin HTTP/1.1\r\nHost: nas.lan\r\nauthorization:   Basic YWRtaW46c2VjcmV0\r\n\r\n";
  assert.equal(hintOf(text(req), 6, 51000, 80), PayloadHint.HttpBasicAuth);
  const proxy = "POST /x HTTP/1.0\r\nProxy-Authorization: BASIC Zm9vOmJhcg==\r\n\r\n";
  assert.equal(hintOf(text(proxy), 6, 51000, 3128), PayloadHint.HttpBasicAuth);
});

Deno.test("payloadHint() says nothing of other schemes, of headers after the blank line, or of responses", () => {
  const bearer = "GET / HTTP/1.1\r\nAuthorization: Bearer abc\r\n\r\n";
  assert.equal(hintOf(text(bearer), 6, 51000, 80), PayloadHint.None);
  const inBody = "POST / HTTP/1.1\r\nHost: a\r\n\r\nAuthorization: Basic eA==\r\n";
  assert.equal(hintOf(text(inBody), 6, 51000, 80), PayloadHint.None);
  const basicNoSpace = "GET / HTTP/1.1\r\nAuthorization: Basicx\r\n\r\n";
  assert.equal(hintOf(text(basicNoSpace), 6, 51000, 80), PayloadHint.None);
  const response = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=x\r\n\r\n";
  assert.equal(hintOf(text(response), 6, 80, 51000), PayloadHint.None);
});

Deno.test("payloadHint() does not see a header cut off by the snap length", () => {
  const req = text("GET / HTTP/1.1\r\nAuthorization: Basic YWRtaW46c2VjcmV0\r\n\r\n");
  const cut = req.indexOf(0x42); // "B" of Basic
  assert.equal(payloadHint(req, 0, cut + 3, 6, 51000, 80), PayloadHint.None);
});

/** NetBIOS session header (type 0, 24-bit length), then an SMB1 header with `command`. */
function smb1(command: number): Uint8Array {
  const smb = new Uint8Array(32);
  smb.set([0xff, 0x53, 0x4d, 0x42], 0); // protocol: 0xFF 'SMB'
  smb[4] = command; // command
  return concatBytes(new Uint8Array([0, 0, 0, smb.length]), smb);
}

Deno.test("payloadHint() reports SMB1 from a server and SMB1 commands from a client, not the opening negotiate", () => {
  assert.equal(hintOf(smb1(0x72), 6, 445, 50000), PayloadHint.Smb1, "negotiate answered in SMB1");
  assert.equal(hintOf(smb1(0x73), 6, 50000, 445), PayloadHint.Smb1, "session setup in SMB1");
  assert.equal(hintOf(smb1(0x72), 6, 50000, 445), PayloadHint.None, "a client's multi-dialect negotiate");
  assert.equal(hintOf(smb1(0x73), 6, 50000, 139), PayloadHint.Smb1, "over NetBIOS session service");
  const smb2 = smb1(0x00);
  smb2[4] = 0xfe; // 0xFE 'SMB': SMB2
  assert.equal(hintOf(smb2, 6, 445, 50000), PayloadHint.None);
});

/** An SNMP GetRequest (BER) with `version` (0 v1, 1 v2c, 3 v3) and `community`. */
function snmpGet(version: number, community: string): Uint8Array {
  const c = text(community);
  const pdu = new Uint8Array([
    0xa0,
    0x0e,
    0x02,
    0x01,
    0x01,
    0x02,
    0x01,
    0x00,
    0x02,
    0x01,
    0x00,
    0x30,
    0x03,
    0x30,
    0x01,
    0x05,
  ]);
  const body = concatBytes(new Uint8Array([0x02, 0x01, version]), new Uint8Array([0x04, c.length]), c, pdu);
  return concatBytes(new Uint8Array([0x30, body.length]), body);
}

Deno.test("payloadHint() reports SNMP v1 and v2c with the default communities only", () => {
  assert.equal(hintOf(snmpGet(0, "public"), 17, 40000, 161), PayloadHint.SnmpV1Public);
  assert.equal(hintOf(snmpGet(1, "public"), 17, 40000, 161), PayloadHint.SnmpV2cPublic);
  assert.equal(hintOf(snmpGet(1, "private"), 17, 161, 40000), PayloadHint.SnmpV2cPrivate, "a response");
  assert.equal(hintOf(snmpGet(0, "private"), 17, 40000, 162), PayloadHint.SnmpV1Private, "a trap");
  assert.equal(hintOf(snmpGet(1, "s3cr3t-community"), 17, 40000, 161), PayloadHint.None);
  assert.equal(hintOf(snmpGet(1, "publicx"), 17, 40000, 161), PayloadHint.None);
  assert.equal(hintOf(snmpGet(3, "public"), 17, 40000, 161), PayloadHint.None, "v3 has no community");
  assert.equal(hintOf(snmpGet(1, "public"), 17, 40000, 5353), PayloadHint.None, "not an SNMP port");
});

Deno.test("payloadHint() names every hint", () => {
  assert.equal(PAYLOAD_HINT_NAMES.length, Object.keys(PayloadHint).length);
  assert.equal(PAYLOAD_HINT_NAMES[PayloadHint.SnmpV2cPublic], "snmp_v2c_public");
});

Deno.test("payloadHint() reads nothing outside the payload and never throws on garbage", () => {
  const next = seededRng(13);
  const rand = () => next() / 2 ** 32;
  const buf = new Uint8Array(300);
  // Prefixes that lead into every branch, then random bytes of every length.
  const starts = [
    text("GET "),
    text("POST"),
    new Uint8Array([0, 0, 0, 9, 0xff, 0x53, 0x4d, 0x42]),
    new Uint8Array([0x30, 0x82]),
  ];
  for (let i = 0; i < 100_000; i++) {
    const len = Math.floor(rand() * buf.length);
    for (let k = 0; k < len; k++) buf[k] = rand() < 0.2 ? 0x0a : Math.floor(rand() * 256);
    const s = starts[i % starts.length];
    if (len >= s.length) buf.set(s, 0);
    // A view ending at `len` turns any read past the payload into `undefined`, which no branch accepts.
    const view = buf.subarray(0, len);
    const h = payloadHint(view, 0, len, i % 2 ? 6 : 17, 161, i % 3 ? 445 : 80);
    assert.ok(h >= 0 && h < PAYLOAD_HINT_NAMES.length);
  }
});

Deno.test("the decoder writes the hint into the row and counts hinted rows in the batch", () => {
  const got: { hints: number[]; counted: number }[] = [];
  const decoder = new Decoder({
    consume(b: PacketBatch) {
      got.push({ hints: Array.from(b.hint.subarray(0, b.count)), counted: b.asideUse[AsideUse.Hints] });
    },
  });
  const ip = (proto: number, body: Uint8Array) =>
    ethernet({ etherType: 0x0800 }, ipv4({ src: "10.231.240.2", dst: "10.231.240.1", proto }, body));
  const frames = [
    ip(
      6,
      tcp(
        { srcPort: 50000, dstPort: 80, flags: 0x18 },
        text("GET / HTTP/1.1\r\nAuthorization: Basic eDp5\r\n\r\n"),
      ),
    ),
    ip(6, tcp({ srcPort: 50000, dstPort: 80, flags: 0x02 })),
    ip(17, udp({ srcPort: 40000, dstPort: 161 }, snmpGet(1, "public"))),
    ip(17, udp({ srcPort: 40000, dstPort: 53 }, text("xxxx"))),
  ];
  for (const f of frames) decoder.frame(f, 0, f.length, f.length, 1000, LinkType.Ethernet);
  decoder.flush();
  assert.deepEqual(got, [{
    hints: [PayloadHint.HttpBasicAuth, PayloadHint.None, PayloadHint.SnmpV2cPublic, PayloadHint.None],
    counted: 2,
  }]);
});
