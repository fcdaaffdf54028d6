import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { createSnmpSession } from "./session.ts";
import { SnmpError, type SnmpTarget } from "./snmp_types.ts";

// Addresses 127.0.10.11–127.0.10.14 and ports 1171–1174 belong to this file.

/** BER TLV (X.690 §8.1): tag, definite length (short or long form), content. */
function tlv(tag: number, content: Uint8Array): Uint8Array {
  const n = content.length;
  const len = n < 128 ? [n] : n < 256 ? [0x81, n] : [0x82, n >> 8, n & 255];
  return new Uint8Array([tag, ...len, ...content]);
}
function cat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(parts.flatMap((p) => [...p]));
}
function int(n: number): Uint8Array {
  const bytes = [n & 255];
  for (let v = n >> 8; v !== 0 && v !== -1; v >>= 8) bytes.unshift(v & 255);
  if (n > 0 && bytes[0] & 0x80) bytes.unshift(0);
  return tlv(0x02, new Uint8Array(bytes));
}
function oid(text: string): Uint8Array {
  const a = text.split(".").map(Number);
  const out = [a[0] * 40 + a[1]];
  for (const x of a.slice(2)) {
    const b = [x & 0x7f];
    for (let v = Math.floor(x / 128); v > 0; v = Math.floor(v / 128)) b.unshift((v & 0x7f) | 0x80);
    out.push(...b);
  }
  return tlv(0x06, new Uint8Array(out));
}
/** Reads one TLV at `o`: [tag, content start, end]. */
function read(b: Uint8Array, o: number): [number, number, number] {
  let len = b[o + 1];
  let start = o + 2;
  if (len & 0x80) {
    const k = len & 0x7f;
    len = 0;
    for (let i = 0; i < k; i++) len = len * 256 + b[o + 2 + i];
    start += k;
  }
  return [b[o], start, start + len];
}
function oidText(b: Uint8Array): string {
  const out = [Math.floor(b[0] / 40), b[0] % 40];
  let v = 0;
  for (const x of b.subarray(1)) {
    v = v * 128 + (x & 0x7f);
    if (!(x & 0x80)) (out.push(v), v = 0);
  }
  return out.join(".");
}

/** A v2c request as the fake agent sees it. */
interface Request {
  pduType: number;
  requestId: Uint8Array;
  oids: string[];
}

function parseRequest(msg: Uint8Array): Request {
  const [, seq] = read(msg, 0);
  const [, , vEnd] = read(msg, seq); // version
  const [, , cEnd] = read(msg, vEnd); // community
  const [pduType, pdu] = read(msg, cEnd);
  const [, , idEnd] = read(msg, pdu);
  const requestId = msg.slice(pdu, idEnd);
  const [, , e1] = read(msg, idEnd);
  const [, , e2] = read(msg, e1);
  const [, vbs, vbsEnd] = read(msg, e2);
  const oids: string[] = [];
  for (let o = vbs; o < vbsEnd;) {
    const [, vb, vbEnd] = read(msg, o);
    const [, os, oe] = read(msg, vb);
    oids.push(oidText(msg.subarray(os, oe)));
    o = vbEnd;
  }
  return { pduType, requestId, oids };
}

/** A GetResponse (RFC 3416) to `req` with community "public" and the given [oid, encoded value] varbinds. */
function response(req: Request, varbinds: [string, Uint8Array][], errorStatus = 0): Uint8Array {
  const vbs = tlv(0x30, cat(...varbinds.map(([o, v]) => tlv(0x30, cat(oid(o), v)))));
  const pdu = tlv(0xa2, cat(req.requestId, int(errorStatus), int(0), vbs));
  return tlv(0x30, cat(int(1), tlv(0x04, new TextEncoder().encode("public")), pdu));
}

/** A UDP peer on `address:port` answering each datagram with what `reply` returns (nothing for null). */
async function fakeAgent(
  address: string,
  port: number,
  reply: (msg: Uint8Array) => Uint8Array | null,
): Promise<Socket> {
  const sock = createSocket("udp4");
  sock.on("message", (msg, rinfo) => {
    const out = reply(new Uint8Array(msg));
    if (out !== null) sock.send(out, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => sock.bind(port, address, resolve));
  return sock;
}

function target(ip: string, port: number, o: Partial<SnmpTarget> = {}): SnmpTarget {
  return { ip, port, credentials: { version: "v2c", community: "public" }, timeoutMs: 300, retries: 1, ...o };
}

Deno.test("session.get() converts OctetString, Counter64, IpAddress, OID and TimeTicks, and noSuchObject to undefined", async () => {
  const agent = await fakeAgent("127.0.10.11", 1171, (msg) => {
    const req = parseRequest(msg);
    return response(req, [
      [req.oids[0], tlv(0x04, new Uint8Array([0x72, 0x31, 0x00, 0xff]))],
      [req.oids[1], tlv(0x46, new Uint8Array([0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]))],
      [req.oids[2], tlv(0x40, new Uint8Array([192, 0, 2, 33]))],
      [req.oids[3], oid("1.3.6.1.4.1.9.1.1208")],
      [req.oids[4], tlv(0x43, new Uint8Array([0x00, 0xff, 0xff, 0xff, 0xff]))],
      [req.oids[5], tlv(0x80, new Uint8Array(0))],
      [req.oids[6], tlv(0x81, new Uint8Array(0))],
    ]);
  });
  const s = createSnmpSession(target("127.0.10.11", 1171));
  try {
    const values = await s.get([
      "1.3.6.1.9.1",
      "1.3.6.1.9.2",
      "1.3.6.1.9.3",
      "1.3.6.1.9.4",
      "1.3.6.1.9.5",
      "1.3.6.1.9.6",
      "1.3.6.1.9.7",
    ]);
    assert.deepEqual(values, [
      new Uint8Array([0x72, 0x31, 0x00, 0xff]),
      2n ** 64n - 2n,
      "192.0.2.33",
      "1.3.6.1.4.1.9.1.1208",
      4294967295,
      undefined,
      undefined,
    ]);
  } finally {
    s.close();
    agent.close();
  }
});

/** An agent serving `rows` (sorted [oid, encoded value]) to GETBULK, as many as max-repetitions asks. */
function bulkAgent(
  rows: [string, Uint8Array][],
  mangle?: (next: [string, Uint8Array][]) => [string, Uint8Array][],
) {
  return (msg: Uint8Array) => {
    const req = parseRequest(msg);
    // max-repetitions is the third INTEGER of the PDU; the session asks for at most 25.
    const after = rows.filter(([o]) => compare(o, req.oids[0]) > 0);
    const reps = maxRepetitions(msg);
    let next = after.slice(0, reps);
    if (next.length < reps) next.push([rows.at(-1)?.[0] ?? req.oids[0], tlv(0x82, new Uint8Array(0))]);
    if (mangle) next = mangle(next);
    return response(req, next);
  };
}

function compare(a: string, b: string): number {
  const x = a.split(".").map(Number);
  const y = b.split(".").map(Number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

function maxRepetitions(msg: Uint8Array): number {
  const [, seq] = read(msg, 0);
  const [, , vEnd] = read(msg, seq);
  const [, , cEnd] = read(msg, vEnd);
  const [, pdu] = read(msg, cEnd);
  const [, , idEnd] = read(msg, pdu);
  const [, , nrEnd] = read(msg, idEnd);
  const [, ms, me] = read(msg, nrEnd);
  let n = 0;
  for (const b of msg.subarray(ms, me)) n = n * 256 + b;
  return n;
}

const COLUMN = "1.3.6.1.2.1.2.2.1.2";
const ROWS: [string, Uint8Array][] = Array.from({ length: 60 }, (_, i) => [
  `${COLUMN}.${i + 1}`,
  tlv(0x04, new TextEncoder().encode(`if${i + 1}`)),
]);

Deno.test("session.walk() follows GETBULK to the end of the subtree and no further", async () => {
  const rows: [string, Uint8Array][] = [...ROWS, ["1.3.6.1.2.1.2.2.1.3.1", int(6)]];
  const agent = await fakeAgent("127.0.10.12", 1172, bulkAgent(rows));
  const s = createSnmpSession(target("127.0.10.12", 1172));
  try {
    const got = await s.walk(COLUMN);
    assert.deepEqual(got.map((v) => v.oid), ROWS.map(([o]) => o));
    assert.deepEqual(got[59].value, new TextEncoder().encode("if60"));
  } finally {
    s.close();
    agent.close();
  }
});

Deno.test("session.walk() stops after maxRows varbinds", async () => {
  const agent = await fakeAgent("127.0.10.12", 1172, bulkAgent(ROWS));
  const s = createSnmpSession(target("127.0.10.12", 1172));
  try {
    const got = await s.walk(COLUMN, 31);
    assert.deepEqual(got.map((v) => v.oid), ROWS.slice(0, 31).map(([o]) => o));
  } finally {
    s.close();
    agent.close();
  }
});

Deno.test("session.walk() rejects as malformed an agent whose OIDs do not increase, instead of looping", async () => {
  const agent = await fakeAgent("127.0.10.12", 1172, bulkAgent(ROWS, (next) => [ROWS[0], ...next]));
  const s = createSnmpSession(target("127.0.10.12", 1172));
  try {
    await assert.rejects(
      s.walk(COLUMN),
      (e) => e instanceof SnmpError && e.failure === "malformed" && /not increasing/.test(e.message),
    );
  } finally {
    s.close();
    agent.close();
  }
});

Deno.test("session.walk() of an empty subtree is empty", async () => {
  const agent = await fakeAgent("127.0.10.12", 1172, bulkAgent(ROWS));
  const s = createSnmpSession(target("127.0.10.12", 1172));
  try {
    assert.deepEqual(await s.walk("1.3.6.1.2.1.25.3.3.1.2"), []);
  } finally {
    s.close();
    agent.close();
  }
});

/**
 * An agent answering GETBULK as RFC 3416 §4.2.3 says, for every OID asked: repetition by repetition,
 * each OID's successor in `rows` (endOfMibView after the last), row-major. It answers tooBig when more
 * than `tooBigAbove` varbinds are asked for, and records each max-repetitions it saw.
 */
function multiBulkAgent(rows: [string, Uint8Array][], seen: number[], tooBigAbove = Infinity) {
  return (msg: Uint8Array) => {
    const req = parseRequest(msg);
    const reps = maxRepetitions(msg);
    seen.push(reps);
    if (req.oids.length * reps > tooBigAbove) {
      return response(req, req.oids.map((o) => [o, tlv(0x05, new Uint8Array(0))]), 1);
    }
    const cursors = [...req.oids];
    const out: [string, Uint8Array][] = [];
    for (let r = 0; r < reps; r++) {
      cursors.forEach((c, i) => {
        const next = rows.find(([o]) => compare(o, c) > 0);
        if (next) out.push(next), cursors[i] = next[0];
        else out.push([c, tlv(0x82, new Uint8Array(0))]);
      });
    }
    return response(req, out);
  };
}

/** ifDescr.1–3 and ifType.1–3, as an agent that has nothing after them holds them. */
const TWO_COLUMNS: [string, Uint8Array][] = [
  ...[1, 2, 3].map((
    i,
  ): [string, Uint8Array] => [`${COLUMN}.${i}`, tlv(0x04, new TextEncoder().encode(`if${i}`))]),
  ...[1, 2, 3].map((i): [string, Uint8Array] => [`1.3.6.1.2.1.2.2.1.3.${i}`, int(6)]),
];

Deno.test("session.getBulk() returns one varbind per OID asked for each repetition, row-major, null at endOfMibView", async () => {
  const seen: number[] = [];
  const agent = await fakeAgent("127.0.10.12", 1172, multiBulkAgent(TWO_COLUMNS, seen));
  const s = createSnmpSession(target("127.0.10.12", 1172));
  try {
    const got = await s.getBulk([COLUMN, "1.3.6.1.2.1.2.2.1.3.1"], 3);
    const text = (t: string) => new TextEncoder().encode(t);
    assert.deepEqual(got, [
      { oid: `${COLUMN}.1`, value: text("if1") },
      { oid: "1.3.6.1.2.1.2.2.1.3.2", value: 6 },
      { oid: `${COLUMN}.2`, value: text("if2") },
      { oid: "1.3.6.1.2.1.2.2.1.3.3", value: 6 },
      { oid: `${COLUMN}.3`, value: text("if3") },
      null,
    ]);
    assert.deepEqual(seen, [3]);
  } finally {
    s.close();
    agent.close();
  }
});

Deno.test("session.getBulk() asks for fewer repetitions when the agent answers tooBig, and gives up at one", async () => {
  const seen: number[] = [];
  const agent = await fakeAgent("127.0.10.12", 1172, multiBulkAgent(TWO_COLUMNS, seen, 2));
  const s = createSnmpSession(target("127.0.10.12", 1172));
  try {
    // 2 OIDs × 25, × 12, × 6 and × 3 are too big; 2 × 1 fits. Three OIDs never fit.
    const got = await s.getBulk([COLUMN, "1.3.6.1.2.1.2.2.1.3"], 25);
    assert.deepEqual(seen, [25, 12, 6, 3, 1]);
    assert.deepEqual(got.map((v) => v?.oid), [`${COLUMN}.1`, "1.3.6.1.2.1.2.2.1.3.1"]);
    seen.length = 0;
    await assert.rejects(
      s.getBulk([COLUMN, "1.3.6.1.2.1.2.2.1.3", "1.3.6.1.2.1.2.2.1.4"], 1),
      (e) => e instanceof SnmpError && e.failure === "error" && /tooBig/.test(e.message),
    );
  } finally {
    s.close();
    agent.close();
  }
});

Deno.test("session.getBulk() refuses an empty OID list or a max-repetitions below 1", async () => {
  const s = createSnmpSession(target("127.0.10.12", 1172));
  try {
    await assert.rejects(s.getBulk([], 5), RangeError);
    await assert.rejects(s.getBulk([COLUMN], 0), RangeError);
    await assert.rejects(s.getBulk([COLUMN], 1.5), RangeError);
  } finally {
    s.close();
  }
});

Deno.test("session.get() of an address with nothing listening rejects with a timeout in words", async () => {
  const s = createSnmpSession(target("127.0.10.13", 1173, { timeoutMs: 150, retries: 1 }));
  try {
    await assert.rejects(s.get(["1.3.6.1.2.1.1.3.0"]), {
      failure: "timeout",
      message: "timeout after 150 ms × 2 tries",
    });
  } finally {
    s.close();
  }
});

Deno.test("a peer answering random bytes gives a malformed error and nothing throws out of the socket", async () => {
  let seed = 42;
  const random = (n: number) =>
    Uint8Array.from({ length: n }, () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 255);
  const shapes = [
    () => random(1 + (seed % 200)),
    // Looks like an SNMP message at first: a SEQUENCE and version, then noise.
    () => cat(new Uint8Array([0x30, 0x40, 0x02, 0x01, 0x01]), random(60)),
    // A valid outer frame with a truncated PDU.
    () =>
      tlv(
        0x30,
        cat(int(1), tlv(0x04, new TextEncoder().encode("public")), new Uint8Array([0xa2, 0x7f, 0x02])),
      ),
  ];
  let i = 0;
  const agent = await fakeAgent("127.0.10.14", 1174, () => shapes[i++ % shapes.length]());
  try {
    for (let round = 0; round < 9; round++) {
      const s = createSnmpSession(target("127.0.10.14", 1174, { timeoutMs: 100, retries: 0 }));
      try {
        await assert.rejects(
          s.get(["1.3.6.1.2.1.1.3.0"]),
          (e) => e instanceof SnmpError && (e.failure === "malformed" || e.failure === "timeout"),
        );
        await assert.rejects(
          s.walk("1.3.6.1.2.1.2"),
          (e) => e instanceof SnmpError && e.failure === "malformed",
        );
      } finally {
        s.close();
      }
    }
  } finally {
    agent.close();
  }
});

Deno.test("session methods reject after close() and a bad target is a RangeError", async () => {
  const s = createSnmpSession(target("127.0.10.13", 1173));
  s.close();
  await assert.rejects(s.get(["1.3.6.1.2.1.1.3.0"]), { failure: "error" });
  assert.throws(() => createSnmpSession(target("127.0.10.13", 0)), RangeError);
  assert.throws(() => createSnmpSession(target("127.0.10.13", 161, { timeoutMs: 0 })), RangeError);
  assert.throws(() => createSnmpSession(target("127.0.10.13", 161, { retries: -1 })), RangeError);
});
