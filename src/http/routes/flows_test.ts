import assert from "node:assert/strict";
import { Hono } from "hono";
import { FlowTable } from "../../flow/flow_table.ts";
import { flowToJson } from "../../flow/flow_json.ts";
import { threatsOf } from "../../flow/flow_threats.ts";
import { BadParameter, errorResponse } from "../errors.ts";
import { flowsRoutes } from "./flows.ts";
import { addIpRow, batchOf, findFlow, type IpRow } from "../../../tests/helpers/batch_rows.ts";
import { createPacketBatch } from "../../decode/packet_batch.ts";
import { parseCsv } from "../../../tests/helpers/csv_parse.ts";
import { seededRng } from "../../../tests/helpers/seeded_rng.ts";

const WARMUP = 3;
/** 2023-11-14T22:13:20.000Z */
const T0 = 1_700_000_000_000;

/** A flow as the test wrote it, with what it expects the table to say. */
interface TestFlow {
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  proto: number;
  bytes: number;
  packets: number;
  first: number;
  last: number;
}

/**
 * `n` distinct flows: IPv4 (10.1/16, 10.2/16 → 192.0.2.0/24 or 10.1.0.x) and IPv6 (2001:db8:1::/48,
 * 2001:db8:2::/48 → 2001:db8:ff::/48 or fe80::1); TCP, UDP, SCTP, ICMP, ICMPv6; 1–4 packets each.
 * Totals are unique (1000 + 7i + 0…4), so the byte order is fully known.
 */
function makeFlows(n: number, seed = 1): TestFlow[] {
  const rand = seededRng(seed);
  const pick = <T>(xs: readonly T[]) => xs[rand() % xs.length];
  const out: TestFlow[] = [];
  const keys = new Set<string>();
  for (let i = 0; out.length < n; i++) {
    const v6 = i % 5 === 4;
    const src = v6
      ? `2001:db8:${1 + (rand() % 2)}::${(1 + (rand() % 300)).toString(16)}`
      : `10.${1 + (rand() % 2)}.${rand() % 4}.${1 + (rand() % 254)}`;
    const dst = v6
      ? (rand() % 2 ? `2001:db8:ff::${(1 + (rand() % 5)).toString(16)}` : "fe80::1")
      : (rand() % 3 === 0 ? `10.1.0.${1 + (rand() % 5)}` : `192.0.2.${1 + (rand() % 20)}`);
    const proto = v6 ? pick([6, 17, 58]) : pick([6, 6, 17, 1, 132]);
    const icmp = proto === 1 || proto === 58;
    let srcPort = icmp ? pick([8, 0, 3, 128]) : 1024 + (rand() % 50000);
    const dstPort = icmp ? pick([0, 1]) : pick([443, 80, 53, 22, 8080]);
    if (!icmp && i % 7 === 0) srcPort = 443; // server to client
    const key = `${src}|${dst}|${srcPort}|${dstPort}|${proto}`;
    if (keys.has(key)) continue;
    keys.add(key);
    const packets = 1 + (rand() % 4);
    const bytes = 1000 + 7 * out.length + (rand() % 5);
    const first = T0 + (rand() % 100_000);
    out.push({
      src,
      dst,
      srcPort,
      dstPort,
      proto,
      bytes,
      packets,
      first,
      last: first + (packets - 1) * 1000,
    });
  }
  return out;
}

/** The packets of `flows`, in time order within each flow. */
function rowsOf(flows: TestFlow[]): IpRow[] {
  return flows.flatMap((f) =>
    Array.from({ length: f.packets }, (_, p) => ({
      src: f.src,
      dst: f.dst,
      srcPort: f.srcPort,
      dstPort: f.dstPort,
      proto: f.proto,
      ipBytes: p === 0 ? f.bytes - (f.packets - 1) * 40 : 40,
      tsMs: f.first + p * 1000,
      tcpFlags: f.proto === 6 ? 0x18 : 0,
    }))
  );
}

function tableOf(flows: TestFlow[]): FlowTable {
  const table = new FlowTable(flows.length + 1);
  const rows = rowsOf(flows);
  for (let i = 0; i < rows.length; i += 4096) {
    const b = batchOf(rows.slice(i, i + 4096));
    table.update(b, 0, b.count);
  }
  assert.equal(table.size, flows.length);
  return table;
}

function testApp(table: FlowTable): Hono {
  const app = new Hono();
  // The real error handler belongs to the app; this one does what it does for BadParameter.
  app.onError((err, c) =>
    err instanceof BadParameter
      ? errorResponse(c, 400, "bad_parameter", err.message, err.parameter)
      : errorResponse(c, 500, "internal", String(err))
  );
  app.route("/", flowsRoutes({ table, warmupIntervals: WARMUP }));
  return app;
}

interface FlowBody {
  flows: Record<string, unknown>[];
  count: number;
  total_matched: number;
  next_cursor: string | null;
}

async function getJson(app: Hono, path: string, headers?: HeadersInit): Promise<FlowBody> {
  const res = await app.request(path, { headers });
  const text = await res.text();
  assert.equal(res.status, 200, `${path}: ${text}`);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  return JSON.parse(text);
}

const keyOf = (
  f: { src_ip?: unknown; dst_ip?: unknown; src_port?: unknown; dst_port?: unknown; protocol?: unknown },
) => `${f.src_ip}|${f.dst_ip}|${f.src_port}|${f.dst_port}|${f.protocol}`;
const testKey = (f: TestFlow) => `${f.src}|${f.dst}|${f.srcPort}|${f.dstPort}|${f.proto}`;

// ---- independent address arithmetic, from the text the test wrote

/** An address as a BigInt (IPv4: 32 bits; IPv6: 128), by splitting its text. */
function addrBits(text: string): { v6: boolean; n: bigint } {
  if (!text.includes(":")) {
    return { v6: false, n: text.split(".").reduce((n, o) => (n << 8n) | BigInt(o), 0n) };
  }
  const [head, tail = ""] = text.split("::");
  const h = head ? head.split(":") : [], t = tail ? tail.split(":") : [];
  const groups = text.includes("::") ? [...h, ...Array(8 - h.length - t.length).fill("0"), ...t] : h;
  return { v6: true, n: groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

function inCidr(addr: string, cidr: string): boolean {
  const [net, bits] = cidr.split("/");
  const a = addrBits(addr), b = addrBits(net);
  if (a.v6 !== b.v6) return false;
  const width = a.v6 ? 128n : 32n, shift = width - BigInt(bits);
  return a.n >> shift === b.n >> shift;
}

const PORTED = new Set([6, 17, 132]);

/** Queries and what they mean, as the test understands the documented filters. */
function filterCases(): [string, (f: TestFlow) => boolean][] {
  const since = T0 + 30_000, until = T0 + 60_000;
  return [
    ["ip=10.1.0.3", (f) => f.src === "10.1.0.3" || f.dst === "10.1.0.3"],
    ["ip=192.0.2.7", (f) => f.src === "192.0.2.7" || f.dst === "192.0.2.7"],
    ["src_ip=10.2.1.77", (f) => f.src === "10.2.1.77"],
    ["dst_ip=192.0.2.20", (f) => f.dst === "192.0.2.20"],
    ["dst_ip=10.1.0.3", (f) => f.dst === "10.1.0.3"],
    ["ip=2001:db8:ff::3", (f) => f.src === "2001:db8:ff::3" || f.dst === "2001:db8:ff::3"],
    ["ip=2001:0DB8:00ff:0:0:0:0:3", (f) => f.src === "2001:db8:ff::3" || f.dst === "2001:db8:ff::3"],
    ["src_ip=2001:db8:1::1f", (f) => f.src === "2001:db8:1::1f"],
    ["dst_ip=fe80::1", (f) => f.dst === "fe80::1"],
    ["cidr=10.1.0.0/16", (f) => inCidr(f.src, "10.1.0.0/16") || inCidr(f.dst, "10.1.0.0/16")],
    ["cidr=10.2.0.0/16", (f) => inCidr(f.src, "10.2.0.0/16") || inCidr(f.dst, "10.2.0.0/16")],
    ["cidr=10.1.2.128/25", (f) => inCidr(f.src, "10.1.2.128/25") || inCidr(f.dst, "10.1.2.128/25")],
    ["cidr=10.1.2.200/25", (f) => inCidr(f.src, "10.1.2.128/25") || inCidr(f.dst, "10.1.2.128/25")],
    ["cidr=192.0.2.5/32", (f) => f.src === "192.0.2.5" || f.dst === "192.0.2.5"],
    ["cidr=0.0.0.0/0", (f) => !f.src.includes(":")],
    ["cidr=2001:db8:1::/48", (f) => inCidr(f.src, "2001:db8:1::/48") || inCidr(f.dst, "2001:db8:1::/48")],
    ["cidr=2001:db8::/32", (f) => inCidr(f.src, "2001:db8::/32") || inCidr(f.dst, "2001:db8::/32")],
    [
      "cidr=2001:db8:1::80/121",
      (f) => inCidr(f.src, "2001:db8:1::80/121") || inCidr(f.dst, "2001:db8:1::80/121"),
    ],
    ["cidr=fe80::1/128", (f) => f.dst === "fe80::1" || f.src === "fe80::1"],
    ["cidr=::/0", (f) => f.src.includes(":")],
    ["port=443", (f) => PORTED.has(f.proto) && (f.srcPort === 443 || f.dstPort === 443)],
    ["port=22", (f) => PORTED.has(f.proto) && (f.srcPort === 22 || f.dstPort === 22)],
    ["port=8", () => false], // only ICMP echo has an 8 (its type), and ICMP has no ports
    ["protocol=udp", (f) => f.proto === 17],
    ["protocol=6", (f) => f.proto === 6],
    ["protocol=icmp", (f) => f.proto === 1],
    ["protocol=icmpv6", (f) => f.proto === 58],
    ["protocol=132", (f) => f.proto === 132],
    ["protocol=47", () => false],
    ["min_bytes=2000", (f) => f.bytes >= 2000],
    ["min_bytes=0", () => true],
    [`since=${new Date(since).toISOString()}`, (f) => f.last >= since],
    [`until=${until / 1000}`, (f) => f.first <= until],
    [
      `since=${new Date(since).toISOString()}&until=${new Date(until).toISOString()}`,
      (f) => f.last >= since && f.first <= until,
    ],
    [`since=${since / 1000}&until=${since / 1000}`, (f) => f.first <= since && f.last >= since],
    [
      "cidr=10.0.0.0/8&port=443&protocol=tcp",
      (f) => !f.src.includes(":") && f.proto === 6 && (f.srcPort === 443 || f.dstPort === 443),
    ],
    ["ip=fe80::1&min_bytes=1500", (f) => (f.src === "fe80::1" || f.dst === "fe80::1") && f.bytes >= 1500],
  ];
}

Deno.test("GET /flows returns every flow largest first, each exactly as flowToJson() renders it", async () => {
  const flows = makeFlows(300);
  const table = tableOf(flows);
  const body = await getJson(testApp(table), "/flows?limit=1000");
  assert.equal(body.count, 300);
  assert.equal(body.total_matched, 300);
  assert.equal(body.next_cursor, null);
  const expected = [...flows].sort((a, b) => b.bytes - a.bytes);
  assert.deepEqual(body.flows.map(keyOf), expected.map(testKey));
  body.flows.forEach((got, i) => {
    const want = expected[i];
    assert.equal(got.bytes, want.bytes);
    assert.equal(got.packets, want.packets);
    assert.equal(got.first_seen, new Date(want.first).toISOString());
    assert.equal(got.last_seen, new Date(want.last).toISOString());
    assert.deepEqual(got, JSON.parse(JSON.stringify(flowToJson(table, findFlow(table, want), WARMUP))));
  });
});

Deno.test("GET /flows writes its body as JSON.stringify writes the page object, byte for byte", async () => {
  // The body is put together from each flow's text (a flow on many pages of a round is serialised once):
  // it must be exactly the text of { flows, count, total_matched, next_cursor }, on the last page and on one with a cursor.
  const table = tableOf(makeFlows(120, 5));
  const app = testApp(table);
  for (
    const path of [
      "/flows?limit=1000",
      "/flows?limit=7&sort=last_seen&order=asc",
      "/flows?limit=3&protocol=udp",
    ]
  ) {
    const text = await (await app.request(path)).text();
    const page = JSON.parse(text);
    const want = JSON.stringify({
      flows: page.flows.map((
        f: { src_ip: string; dst_ip: string; src_port: number; dst_port: number; protocol: number },
      ) =>
        flowToJson(
          table,
          findFlow(table, {
            src: f.src_ip,
            dst: f.dst_ip,
            srcPort: f.src_port,
            dstPort: f.dst_port,
            proto: f.protocol,
          } as TestFlow),
          WARMUP,
        )
      ),
      count: page.count,
      total_matched: page.total_matched,
      next_cursor: page.next_cursor,
    });
    assert.equal(text, want, path);
  }
});

Deno.test("GET /flows gives 100 flows by default and says how many matched in all", async () => {
  const flows = makeFlows(300);
  const res = await testApp(tableOf(flows)).request("/flows");
  const body: FlowBody = await res.json();
  assert.equal(body.count, 100);
  assert.equal(body.flows.length, 100);
  assert.equal(body.total_matched, 300);
  assert.equal(typeof body.next_cursor, "string");
  assert.equal(res.headers.get("x-next-cursor"), body.next_cursor);
  assert.equal(res.headers.get("link"), `</flows?cursor=${body.next_cursor}>; rel="next"`);
  const top = [...flows].sort((a, b) => b.bytes - a.bytes).slice(0, 100);
  assert.deepEqual(body.flows.map(keyOf), top.map(testKey));
});

Deno.test("GET /flows applies each filter, IPv4 and IPv6, as the test computes it from the rows", async () => {
  const flows = makeFlows(600, 7);
  const app = testApp(tableOf(flows));
  for (const [query, keep] of filterCases()) {
    const want = flows.filter(keep).sort((a, b) => b.bytes - a.bytes);
    const body = await getJson(app, `/flows?limit=1000&${query}`);
    assert.equal(body.total_matched, want.length, query);
    assert.deepEqual(body.flows.map(keyOf), want.map(testKey), query);
  }
  // The cases are not vacuous: most select some flows but not all.
  const sizes = filterCases().map(([, keep]) => flows.filter(keep).length);
  assert.ok(sizes.filter((n) => n > 0 && n < flows.length).length >= 30, `sizes ${sizes}`);
});

Deno.test("GET /flows sorts by bytes, packets, first_seen and last_seen in both orders", async () => {
  const flows = makeFlows(400, 3);
  const app = testApp(tableOf(flows));
  const value: Record<string, (f: TestFlow) => number> = {
    bytes: (f) => f.bytes,
    packets: (f) => f.packets,
    first_seen: (f) => f.first,
    last_seen: (f) => f.last,
  };
  const byKey = new Map(flows.map((f) => [testKey(f), f]));
  for (const sort of Object.keys(value)) {
    for (const order of ["desc", "asc"]) {
      const body = await getJson(app, `/flows?limit=1000&sort=${sort}&order=${order}`);
      const values = body.flows.map((f) => value[sort](byKey.get(keyOf(f))!));
      assert.equal(values.length, 400);
      const sorted = [...values].sort((a, b) => order === "desc" ? b - a : a - b);
      assert.deepEqual(values, sorted, `${sort} ${order}`);
    }
  }
});

/** Follows next_cursor from `first` to the end; returns every flow key in order. */
async function walk(
  app: Hono,
  first: string,
): Promise<{ keys: string[]; pages: number; totals: Set<number> }> {
  const keys: string[] = [], totals = new Set<number>();
  let path: string | null = first, pages = 0;
  while (path !== null) {
    const body: FlowBody = await getJson(app, path);
    keys.push(...body.flows.map(keyOf));
    totals.add(body.total_matched);
    pages++;
    path = body.next_cursor === null ? null : `${first}&cursor=${body.next_cursor}`;
  }
  return { keys, pages, totals };
}

Deno.test("GET /flows walks 5,000 flows in pages of 37, in order, without skipping or repeating one", async () => {
  const flows = makeFlows(5000, 11);
  const app = testApp(tableOf(flows));
  const all = new Set(flows.map(testKey));
  for (
    const q of [
      "limit=37",
      "limit=37&sort=packets",
      "limit=37&sort=first_seen&order=asc",
      "limit=37&sort=last_seen",
    ]
  ) {
    const { keys, pages, totals } = await walk(app, `/flows?${q}`);
    assert.equal(pages, Math.ceil(5000 / 37), q);
    assert.equal(keys.length, 5000, q);
    assert.deepEqual(new Set(keys), all, q);
    assert.deepEqual([...totals], [5000], q);
  }
  const byBytes = await walk(app, "/flows?limit=37");
  assert.deepEqual(byBytes.keys, [...flows].sort((a, b) => b.bytes - a.bytes).map(testKey));
  // With a filter, the pages hold exactly the matching flows.
  const want = flows.filter((f) => inCidr(f.src, "10.1.0.0/16") || inCidr(f.dst, "10.1.0.0/16"));
  const filtered = await walk(app, "/flows?limit=37&cidr=10.1.0.0/16&order=asc");
  assert.deepEqual(filtered.keys, want.sort((a, b) => a.bytes - b.bytes).map(testKey));
});

/** A JSON flow as CSV would write it: baseline's members flattened, every value as text. */
/** Members that are an object or null: a null one is its columns, empty. */
const NULLABLE_OBJECTS: Record<string, string[]> = { blocklist: ["list", "entry", "listed_ip"] };

function asCsvRecord(f: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(f)) {
    if (v === null && NULLABLE_OBJECTS[k]) {
      for (const k2 of NULLABLE_OBJECTS[k]) out[`${k}_${k2}`] = "";
    } else if (Array.isArray(v)) out[k] = v.join(" "); // a list is one cell, its items joined by spaces
    else if (v && typeof v === "object") {
      for (const [k2, v2] of Object.entries(v)) out[`${k}_${k2}`] = String(v2);
    } else out[k] = v === null ? "" : String(v); // CSV leaves a null cell empty
  }
  return out;
}

Deno.test("GET /flows?format=csv and Accept: text/csv give the JSON's flows, columns and paging as CSV", async () => {
  const flows = makeFlows(250, 5);
  const app = testApp(tableOf(flows));
  const json = await getJson(app, "/flows?limit=1000&cidr=2001:db8::/32");
  assert.ok(json.count > 10);
  for (
    const [path, headers] of [
      ["/flows?limit=1000&cidr=2001:db8::/32&format=csv", {}],
      ["/flows?limit=1000&cidr=2001:db8::/32", { Accept: "text/csv" }],
    ] as const
  ) {
    const res = await app.request(path, { headers });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /^text\/csv; charset=utf-8/);
    const [header, ...rows] = parseCsv(await res.text());
    assert.deepEqual(header, Object.keys(asCsvRecord(json.flows[0])));
    assert.ok(
      header.includes("baseline_typical_bytes") && header.includes("baseline_mature") &&
        !header.includes("baseline"),
    );
    assert.deepEqual(
      rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]]))),
      json.flows.map(asCsvRecord),
    );
  }
  // Paging in CSV: the Link header leads to the next page until there is none.
  const keys: string[] = [];
  let path: string | null = "/flows?format=csv&limit=40";
  while (path) {
    const res: Response = await app.request(path);
    const [header, ...rows] = parseCsv(await res.text());
    const at = (name: string) => header.indexOf(name);
    for (const r of rows) {
      keys.push(
        `${r[at("src_ip")]}|${r[at("dst_ip")]}|${r[at("src_port")]}|${r[at("dst_port")]}|${
          r[at("protocol")]
        }`,
      );
    }
    const link = res.headers.get("link");
    path = link === null ? null : /^<([^>]+)>; rel="next"$/.exec(link)![1];
    if (link) {
      assert.equal(new URL(path!, "http://x").searchParams.get("cursor"), res.headers.get("x-next-cursor"));
    }
  }
  assert.deepEqual(keys, [...flows].sort((a, b) => b.bytes - a.bytes).map(testKey));
  // An empty result is still a header row.
  const empty = await app.request("/flows?format=csv&protocol=47");
  assert.equal(
    await empty.text(),
    parseCsv(await (await app.request("/flows?format=csv&limit=1")).text())[0].join(",") + "\r\n",
  );
});

Deno.test("GET /flows refuses each bad parameter with a 400 naming it, the value and what is accepted", async () => {
  const app = testApp(tableOf(makeFlows(20)));
  const cases: [string, string, string][] = [
    ["ip=10.0.0", "ip", "IPv4 or IPv6"],
    ["src_ip=::g", "src_ip", "IPv4 or IPv6"],
    ["dst_ip=", "dst_ip", "IPv4 or IPv6"],
    ["cidr=10.0.0.0/33", "cidr", "prefix"],
    ["cidr=10.0.0.1", "cidr", "address/prefix"],
    ["port=65536", "port", "0 to 65535"],
    ["port=-1", "port", "0 to 65535"],
    ["protocol=tcpp", "protocol", "tcp, udp"],
    ["protocol=300", "protocol", "0–255"],
    ["min_bytes=-5", "min_bytes", "≥ 0"],
    ["min_bytes=1.5", "min_bytes", "whole number"],
    ["since=yesterday", "since", "ISO 8601"],
    ["until=2024-05-01T12:00:00", "until", "time zone"],
    ["since=2024-05-02&until=2024-05-01", "until", "before"],
    ["sort=size", "sort", "bytes, packets, last_seen, first_seen"],
    ["order=up", "order", "desc, asc"],
    ["limit=0", "limit", "1 to 1000"],
    ["limit=1001", "limit", "1 to 1000"],
    ["limit=ten", "limit", "1 to 1000"],
    ["cursor=%%%", "cursor", "next_cursor"],
    ["cursor=eyJ4IjoxfQ", "cursor", "next_cursor"],
    ["format=xml", "format", "json, csv"],
    ["limit=5&limit=6", "limit", "more than once"],
  ];
  for (const [query, parameter, hint] of cases) {
    const res = await app.request(`/flows?${query}`);
    const body = await res.json();
    assert.equal(res.status, 400, query);
    assert.equal(body.error.code, "bad_parameter", query);
    assert.equal(body.error.parameter, parameter, query);
    assert.ok(body.error.message.includes(hint), `${query}: ${body.error.message}`);
  }
  const res = await app.request("/flows?limit=5000");
  assert.deepEqual(await res.json(), {
    error: {
      code: "bad_parameter",
      message: 'limit="5000" is not valid: expected a whole number from 1 to 1000',
      parameter: "limit",
    },
  });
});

Deno.test("GET /flows refuses an unknown parameter and lists the accepted ones", async () => {
  const app = testApp(tableOf(makeFlows(20)));
  const res = await app.request("/flows?protcol=tcp");
  assert.equal(res.status, 400);
  const body = await res.json();
  assert.equal(body.error.parameter, "protcol");
  for (
    const p of [
      "ip",
      "src_ip",
      "dst_ip",
      "cidr",
      "port",
      "protocol",
      "min_bytes",
      "since",
      "until",
      "sort",
      "order",
      "limit",
      "cursor",
      "format",
    ]
  ) {
    assert.ok(body.error.message.includes(p), `${p} missing from ${body.error.message}`);
  }
});

Deno.test("GET /flows refuses a cursor made for another sort or order", async () => {
  const app = testApp(tableOf(makeFlows(50)));
  const first = await getJson(app, "/flows?limit=10&sort=packets");
  for (const q of ["sort=bytes", "sort=packets&order=asc", ""]) {
    const res = await app.request(`/flows?limit=10&${q}&cursor=${first.next_cursor}`);
    const body = await res.json();
    assert.equal(res.status, 400, q);
    assert.equal(body.error.parameter, "cursor");
    assert.match(body.error.message, /sort=packets&order=desc/);
  }
  assert.equal((await app.request(`/flows?limit=10&sort=packets&cursor=${first.next_cursor}`)).status, 200);
});

Deno.test("GET /flows answers requests made together: the same query once for all, others each their own", async () => {
  const flows = makeFlows(500, 13);
  const app = testApp(tableOf(flows));
  const queries = [
    "/flows?limit=5",
    "/flows?limit=5",
    "/flows?limit=5&protocol=udp",
    "/flows?limit=5&format=csv",
    "/flows?limit=5",
  ];
  const together = await Promise.all(queries.map(async (q) => await (await app.request(q)).text()));
  for (const [i, q] of queries.entries()) assert.equal(together[i], await (await app.request(q)).text(), q);
  const udp = JSON.parse(together[2]);
  assert.deepEqual(
    udp.flows.map(keyOf),
    flows.filter((f) => f.proto === 17).sort((a, b) => b.bytes - a.bytes).slice(0, 5).map(testKey),
  );
  // Many different queries at once, over a table big enough for a round to be split: each gets its own.
  const big = testApp(tableOf(makeFlows(5000, 17)));
  const many = Array.from({ length: 60 }, (_, i) => `/flows?limit=${1 + i}&min_bytes=${1000 + 500 * i}`);
  const answers = await Promise.all(many.map(async (q) => await (await big.request(q)).text()));
  for (const [i, q] of many.entries()) assert.equal(answers[i], await (await big.request(q)).text(), q);
  // A bad request among them fails alone.
  const [ok, bad] = await Promise.all([app.request("/flows?limit=2"), app.request("/flows?limit=x")]);
  assert.equal(ok.status, 200);
  assert.equal(bad.status, 400);
});

Deno.test("GET /flows reads the table live: a packet between two requests shows in the second", async () => {
  const table = new FlowTable(16);
  const app = testApp(table);
  assert.equal((await getJson(app, "/flows")).total_matched, 0);
  const b = createPacketBatch(4);
  addIpRow(b, {
    src: "2001:db8::1",
    dst: "2001:db8::2",
    srcPort: 5353,
    dstPort: 5353,
    proto: 17,
    ipBytes: 100,
    tsMs: T0,
  });
  table.update(b, 0, b.count);
  const body = await getJson(app, "/flows?ip=2001:db8::2");
  assert.equal(body.total_matched, 1);
  assert.equal(body.flows[0].bytes, 100);
});

Deno.test("GET /flows?blocklisted=1 lists the flagged flows, =0 the others, and min_attack_score filters by score", async () => {
  const flows = makeFlows(40, 9);
  const table = tableOf(flows);
  const v = threatsOf(table);
  const ids: number[] = [];
  for (let id = 0; id < table.highWater; id++) if (table.family[id] !== 0) ids.push(id);
  for (const id of ids.slice(0, 3)) {
    v.sync(id);
    v.listed.set(id, { list: "drop", entry: "192.0.2.0/24" });
    v.listedSide[id] = 2;
  }
  v.sync(ids[5]);
  v.attackScore[ids[5]] = 0.75;
  const app = testApp(table);
  const on = await getJson(app, "/flows?blocklisted=1&limit=1000");
  assert.equal(on.flows.length, 3);
  assert.ok(on.flows.every((f) => (f.blocklist as { list: string } | null)?.list === "drop"));
  const off = await getJson(app, "/flows?blocklisted=false&limit=1000");
  assert.equal(off.flows.length, ids.length - 3);
  assert.ok(off.flows.every((f) => f.blocklist === null));
  const scored = await getJson(app, "/flows?min_attack_score=0.7&limit=1000");
  assert.deepEqual(scored.flows.map((f) => f.attack_score), [0.75]);
  for (const bad of ["blocklisted=yes", "min_attack_score=2", "min_attack_score=-0.1"]) {
    const res = await app.request(`/flows?${bad}`);
    assert.equal(res.status, 400, bad);
    await res.body?.cancel();
  }
});
