import assert from "node:assert/strict";
import { Hono } from "hono";
import { AdvisoryBook, type Finding } from "../../analysis/mod.ts";
import type { AdvisoryEvent, MinuteSummary } from "../../events/mod.ts";
import { FlowTable } from "../../flow/mod.ts";
import { FlowHistory } from "../../store/mod.ts";
import { BadParameter, errorResponse } from "../errors.ts";
import { advisoriesRoutes } from "./advisories.ts";
import { flowsRoutes } from "./flows.ts";
import { parseCsv } from "../../../tests/helpers/csv_parse.ts";

function testApp(routes: Hono): Hono {
  const app = new Hono();
  app.onError((err, c) =>
    err instanceof BadParameter
      ? errorResponse(c, 400, "bad_parameter", err.message, err.parameter)
      : errorResponse(c, 500, "internal", String(err))
  );
  app.route("/", routes);
  return app;
}

function finding(type: Finding["type"], ip: string, severity: Finding["severity"] = "warning"): Finding {
  return {
    type,
    key: ip,
    severity,
    subject: ip,
    subject_kind: "host",
    ip,
    summary: `${ip} did ${type}`,
    action: "act",
    evidence: { n: 1, note: "=cmd" },
  };
}

/** A book with: a port scan raised at minute 1 and resolved at minute 3, an insecure protocol and a top talker open. */
function bookWithAdvisories(): { book: AdvisoryBook; published: AdvisoryEvent[] } {
  const published: AdvisoryEvent[] = [];
  const book = new AdvisoryBook((e) => published.push(e));
  const T = Date.UTC(2026, 0, 1, 12, 0);
  book.run(["port_scan"], [finding("port_scan", "10.0.0.9")], 1, T + 60_000);
  book.run(["insecure_protocol"], [finding("insecure_protocol", "10.0.0.2")], 60, T + 120_000);
  book.run(["port_scan"], [], 1, T + 180_000);
  book.run(["top_talker"], [finding("top_talker", "10.0.0.5", "info")], 3, T + 180_000);
  return { book, published };
}

Deno.test("advisoryBook raises a condition once, keeps it quiet while it lasts, resolves it once", () => {
  const published: AdvisoryEvent[] = [];
  const book = new AdvisoryBook((e) => published.push(e));
  for (let m = 1; m <= 3; m++) book.run(["dns_volume"], [finding("dns_volume", "10.0.0.1")], 2, m * 60_000);
  book.run(["dns_volume"], [], 2, 4 * 60_000);
  assert.equal(published.length, 1);
  book.run(["dns_volume"], [], 2, 5 * 60_000);
  assert.deepEqual(published.map((e) => e.phase), ["raised", "resolved"]);
  assert.equal(published[0].advisory_id, published[1].advisory_id);
  assert.equal(published[1].resolved_at, new Date(5 * 60_000).toISOString());
  assert.equal(published[1].raised_at, new Date(60_000).toISOString());
  // Another analyzer's run does not count as a miss.
  book.run(["port_scan"], [finding("port_scan", "10.0.0.3")], 1, 6 * 60_000);
  book.run(["dns_volume"], [], 2, 7 * 60_000);
  book.run(["port_scan"], [finding("port_scan", "10.0.0.3")], 1, 7 * 60_000);
  assert.equal(published.length, 3);
});

Deno.test("GET /advisories filters by state, type, severity and ip, pages by cursor and answers CSV", async () => {
  const { book } = bookWithAdvisories();
  const app = testApp(advisoriesRoutes({ advisories: book }));
  const get = async (q: string) => {
    const res = await app.request(`/advisories${q}`);
    assert.equal(res.status, 200, await res.clone().text());
    return await res.json();
  };
  const all = await get("");
  assert.deepEqual(all.advisories.map((a: AdvisoryEvent) => a.type), [
    "top_talker",
    "insecure_protocol",
    "port_scan",
  ]);
  assert.equal(all.total_matched, 3);
  assert.deepEqual((await get("?state=open")).advisories.map((a: AdvisoryEvent) => a.ip), [
    "10.0.0.5",
    "10.0.0.2",
  ]);
  const resolved = await get("?state=resolved");
  assert.equal(resolved.advisories[0].type, "port_scan");
  assert.equal(resolved.advisories[0].resolution, "Not seen in the last minute.");
  assert.equal((await get("?severity=warning")).total_matched, 2);
  assert.equal((await get("?type=port_scan&ip=10.0.0.9")).total_matched, 1);
  assert.equal((await get("?since=2026-01-01T12:02:00Z")).total_matched, 2);

  const first = await get("?limit=2");
  assert.equal(first.count, 2);
  assert.ok(first.next_cursor);
  const second = await get(`?limit=2&cursor=${first.next_cursor}`);
  assert.deepEqual(second.advisories.map((a: AdvisoryEvent) => a.type), ["port_scan"]);
  assert.equal(second.next_cursor, null);

  const csv = await app.request("/advisories?format=csv");
  assert.match(csv.headers.get("content-type")!, /^text\/csv/);
  const rows = parseCsv(await csv.text());
  assert.equal(rows[0][0], "advisory_id");
  assert.equal(rows.length, 4);
  const evidence = rows[1][rows[0].indexOf("evidence")];
  assert.deepEqual(JSON.parse(evidence), { n: 1, note: "=cmd" });

  for (const bad of ["?state=gone", "?type=nope", "?ip=10.0.0", "?cursor=%%%", "?colour=red"]) {
    const res = await app.request(`/advisories${bad}`);
    assert.equal(res.status, 400, bad);
  }
});

Deno.test("GET /flows with since answers from the flow history, without since from the live table", async () => {
  const dir = await Deno.makeTempDir();
  const history = await FlowHistory.open(`${dir}/flows.sqlite`, 3600_000);
  try {
    const minuteMs = Math.floor(Date.now() / 60_000) * 60_000 - 120_000;
    const n = 3;
    const col = {
      count: n,
      family: new Uint8Array(n).fill(4),
      src: new Uint32Array([0x0a000001, 0, 0, 0, 0x0a000002, 0, 0, 0, 0x0a000003, 0, 0, 0]),
      dst: new Uint32Array([0xc0a80101, 0, 0, 0, 0xc0a80101, 0, 0, 0, 0x08080808, 0, 0, 0]),
      srcPort: new Uint16Array([1000, 1001, 1002]),
      dstPort: new Uint16Array([443, 22, 53]),
      proto: new Uint8Array([6, 6, 17]),
      tcpFlags: new Uint8Array(n),
      bytes: new Float64Array([300, 200, 100]),
      packets: new Float64Array([3, 2, 1]),
      firstMs: new Float64Array(n).fill(minuteMs),
      lastMs: new Float64Array(n).fill(minuteMs + 1000),
      exporter: new Uint16Array(n),
      exporterMask: new Uint32Array(n),
      inIf: new Uint32Array(n),
      outIf: new Uint32Array(n),
      srcAs: new Uint32Array(n),
      dstAs: new Uint32Array(n),
    };
    history.write(
      {
        minuteMs,
        flows: col,
        exporters: [],
        hosts: [],
        subnets: [],
        interfaces: [],
        totals: { bytes: 600, packets: 6, flows: 3, flows_not_kept: 0 },
      } satisfies MinuteSummary,
    );
    const app = testApp(flowsRoutes({ table: new FlowTable(16), warmupIntervals: 30, history }));
    const since = new Date(minuteMs - 60_000).toISOString();
    const res = await app.request(`/flows?since=${since}&cidr=192.168.0.0/16&limit=1`);
    assert.equal(res.status, 200, await res.clone().text());
    const page = await res.json();
    assert.equal(page.source, "history");
    assert.deepEqual(page.flows.map((f: { src_ip: string; bytes: number }) => [f.src_ip, f.bytes]), [[
      "10.0.0.1",
      300,
    ]]);
    const next = await app.request(
      `/flows?since=${since}&cidr=192.168.0.0/16&limit=1&cursor=${page.next_cursor}`,
    );
    assert.deepEqual((await next.json()).flows.map((f: { src_ip: string }) => f.src_ip), ["10.0.0.2"]);
    const live = await (await app.request("/flows")).json();
    assert.equal(live.source, undefined);
    assert.equal(live.total_matched, 0);
    assert.equal((await app.request(`/flows?since=${since}&sort=last_seen`)).status, 400);
  } finally {
    await history.close();
    await Deno.remove(dir, { recursive: true });
  }
});
