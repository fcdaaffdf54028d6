import assert from "node:assert/strict";
import { Hono } from "hono";
import { AnomalyStore, type StoredAnomaly } from "../../alert/anomaly_store.ts";
import { type AnomalyEvent, EventBus } from "../../events/mod.ts";
import { BadParameter, errorResponse } from "../errors.ts";
import { anomaliesRoutes } from "./anomalies.ts";
import { parseCsv } from "../../../tests/helpers/csv_parse.ts";
import { sampleAnomaly } from "../../../tests/helpers/sample_events.ts";
import { seededRng } from "../../../tests/helpers/seeded_rng.ts";

/** 2023-11-14T22:13:20.000Z */
const T0 = 1_700_000_000_000;

/** Reasons a spreadsheet would run as formulas, and text CSV must quote. */
const REASONS = ["=1+2", "+SUM(A1:A9)", "-2+3", "@cmd", 'big, "odd"\nflow', "\tTAB", "plain words"];

/** `n` anomaly events; a few share a timestamp, so the bus id breaks ties. */
function makeEvents(n: number, seed = 1): AnomalyEvent[] {
  const rand = seededRng(seed);
  const pick = <T>(xs: readonly T[]) => xs[rand() % xs.length];
  return Array.from({ length: n }, (_, i) => {
    const v6 = i % 4 === 3;
    const proto = v6 ? pick([6, 17, 58]) : pick([6, 17, 1]);
    const icmp = proto === 1 || proto === 58;
    const bytes = 50_000 + (rand() % 1_000_000);
    const src = v6
      ? `2001:db8:${1 + (rand() % 2)}::${(1 + (rand() % 9)).toString(16)}`
      : `10.0.${rand() % 3}.${1 + (rand() % 9)}`;
    return sampleAnomaly(bytes, pick(REASONS), {
      episode_id: `f-test-${seed}-${i}`,
      ts: new Date(T0 + (rand() % 20) * 10_000).toISOString(),
      src_ip: src,
      dst_ip: v6 ? "2001:db8:ff::1" : `192.0.2.${1 + (rand() % 5)}`,
      src_port: icmp ? 8 : 1024 + (rand() % 60000),
      dst_port: icmp ? 0 : pick([443, 53, 22]),
      protocol: proto,
      packets: Math.ceil(bytes / 1000),
      score: i === 5 ? -1.25 : Math.round(((bytes - 10_000) / 2_000) * 100) / 100,
    });
  });
}

/** A store holding `events` as the daemon fills it (through the bus); returns them with their ids. */
async function storeOf(
  events: AnomalyEvent[],
  capacity = 10_000,
): Promise<{ store: AnomalyStore; stored: StoredAnomaly[] }> {
  const bus = new EventBus();
  const store = new AnomalyStore(capacity);
  store.attach(bus);
  const stored = events.map((e) => ({ ...bus.publish({ ...e }) }) as StoredAnomaly);
  await new Promise((r) => setTimeout(r, 0)); // delivery is asynchronous
  return { store, stored };
}

function testApp(store: AnomalyStore): Hono {
  const app = new Hono();
  app.onError((err, c) =>
    err instanceof BadParameter
      ? errorResponse(c, 400, "bad_parameter", err.message, err.parameter)
      : errorResponse(c, 500, "internal", String(err))
  );
  app.route("/", anomaliesRoutes({ anomalies: store }));
  return app;
}

interface Body {
  anomalies: StoredAnomaly[];
  count: number;
  total_matched: number;
  next_cursor: string | null;
}

async function getJson(app: Hono, path: string): Promise<Body> {
  const res = await app.request(path);
  const text = await res.text();
  assert.equal(res.status, 200, `${path}: ${text}`);
  return JSON.parse(text);
}

const tsMs = (e: StoredAnomaly) => new Date(e.ts).getTime();
const newestFirst = (a: StoredAnomaly, b: StoredAnomaly) => tsMs(b) - tsMs(a) || b.id - a.id;

Deno.test("GET /anomalies lists the stored anomalies newest first, ties by bus id, as published", async () => {
  const { store, stored } = await storeOf(makeEvents(60));
  const body = await getJson(testApp(store), "/anomalies");
  assert.equal(body.count, 60);
  assert.equal(body.total_matched, 60);
  assert.equal(body.next_cursor, null);
  assert.deepEqual(body.anomalies, [...stored].sort(newestFirst));
  assert.ok(new Set(stored.map((e) => e.ts)).size < 60, "some timestamps are shared");
});

Deno.test("GET /anomalies filters by address, network, port, protocol, bytes and time", async () => {
  const { store, stored } = await storeOf(makeEvents(80, 3));
  const app = testApp(store);
  const since = T0 + 50_000, until = T0 + 120_000;
  const cases: [string, (e: StoredAnomaly) => boolean][] = [
    ["ip=192.0.2.3", (e) => e.src_ip === "192.0.2.3" || e.dst_ip === "192.0.2.3"],
    ["src_ip=10.0.1.4", (e) => e.src_ip === "10.0.1.4"],
    ["dst_ip=2001:db8:ff::1", (e) => e.dst_ip === "2001:db8:ff::1"],
    ["ip=2001:db8:2::3", (e) => e.src_ip === "2001:db8:2::3" || e.dst_ip === "2001:db8:2::3"],
    ["cidr=10.0.2.0/24", (e) => e.src_ip!.startsWith("10.0.2.")],
    ["cidr=2001:db8:1::/48", (e) => e.src_ip!.startsWith("2001:db8:1::")],
    ["cidr=2001:db8::/32", (e) => e.src_ip!.includes(":")],
    [
      "port=443",
      (e) => (e.protocol === 6 || e.protocol === 17) && (e.src_port === 443 || e.dst_port === 443),
    ],
    ["protocol=icmp", (e) => e.protocol === 1],
    ["protocol=icmpv6", (e) => e.protocol === 58],
    ["min_bytes=500000", (e) => e.bytes >= 500_000],
    [`since=${new Date(since).toISOString()}`, (e) => tsMs(e) >= since],
    [`since=${since / 1000}&until=${until / 1000}`, (e) => tsMs(e) >= since && tsMs(e) <= until],
    ["protocol=udp&cidr=0.0.0.0/0", (e) => e.protocol === 17 && !e.src_ip!.includes(":")],
  ];
  for (const [query, keep] of cases) {
    const want = stored.filter(keep).sort(newestFirst);
    assert.ok(want.length > 0 && want.length < stored.length, `${query} selects some: ${want.length}`);
    const body = await getJson(app, `/anomalies?${query}`);
    assert.equal(body.total_matched, want.length, query);
    assert.deepEqual(body.anomalies.map((e) => e.id), want.map((e) => e.id), query);
  }
});

Deno.test("GET /anomalies sorts by bytes and score both ways and pages 7 at a time without gaps", async () => {
  const { store, stored } = await storeOf(makeEvents(60, 5));
  const app = testApp(store);
  for (
    const [sort, value] of [["ts", tsMs], ["bytes", (e: StoredAnomaly) => e.bytes], [
      "score",
      (e: StoredAnomaly) => e.score,
    ]] as const
  ) {
    for (const order of ["desc", "asc"]) {
      const ids: number[] = [];
      let cursor: string | null = null;
      do {
        const body: Body = await getJson(
          app,
          `/anomalies?sort=${sort}&order=${order}&limit=7${cursor ? `&cursor=${cursor}` : ""}`,
        );
        assert.equal(body.total_matched, 60);
        ids.push(...body.anomalies.map((e) => e.id));
        cursor = body.next_cursor;
      } while (cursor !== null);
      const sign = order === "desc" ? -1 : 1;
      const want = [...stored].sort((a, b) => sign * (value(a) - value(b)) || sign * (a.id - b.id));
      assert.deepEqual(ids, want.map((e) => e.id), `${sort} ${order}`);
    }
  }
});

Deno.test("GET /anomalies?format=csv equals the JSON, with formulas in text neutralised and numbers left alone", async () => {
  const { store } = await storeOf(makeEvents(40, 9));
  const app = testApp(store);
  const json = await getJson(app, "/anomalies?sort=score&order=asc");
  const res = await app.request("/anomalies?sort=score&order=asc&format=csv");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type")!, /^text\/csv/);
  const [header, ...rows] = parseCsv(await res.text());
  // The JSON's members, the baseline's flattened as baseline_<member>.
  const flat = (a: StoredAnomaly) => {
    const { baseline, ...rest } = a;
    return { ...rest, ...Object.fromEntries(Object.entries(baseline).map(([k, v]) => [`baseline_${k}`, v])) };
  };
  // …and `signals`, which only attack anomalies carry (an empty cell for the others)
  assert.deepEqual(
    [...header].sort(),
    [...new Set([...Object.keys(flat(json.anomalies[0])), "signals"])].sort(),
  );
  assert.equal(rows.length, json.count);
  const formula = /^[=+\-@\t\r]/;
  let neutralised = 0;
  rows.forEach((r, i) => {
    const e = flat(json.anomalies[i]) as unknown as Record<string, unknown>;
    header.forEach((h, j) => {
      const v = e[h];
      if (typeof v === "string" && formula.test(v)) {
        assert.equal(r[j], `'${v}`, `${h} of ${e.id}`);
        neutralised++;
      } else assert.equal(r[j], v === null || v === undefined ? "" : String(v), `${h} of ${e.id}`);
    });
  });
  assert.ok(neutralised >= 5, `reasons neutralised: ${neutralised}`);
  // The one negative score is a number: it stays "-1.25" for the spreadsheet to add up.
  assert.equal(rows[0][header.indexOf("score")], "-1.25");
  assert.ok(rows.some((r) => r[header.indexOf("reason")] === 'big, "odd"\nflow'), "quoted text round-trips");
});

Deno.test("GET /anomalies refuses bad and unknown parameters, and a cursor of another sort", async () => {
  const { store } = await storeOf(makeEvents(30));
  const app = testApp(store);
  const first = await getJson(app, "/anomalies?limit=5&sort=score");
  const cases: [string, string][] = [
    ["sort=packets", "sort"],
    ["order=newest", "order"],
    ["limit=1001", "limit"],
    ["since=2024-13-01", "since"],
    ["cidr=2001:db8::/200", "cidr"],
    ["min_bytes=lots", "min_bytes"],
    [`cursor=${first.next_cursor}`, "cursor"],
    [`sort=bytes&cursor=${first.next_cursor}`, "cursor"],
    ["type=anomaly", "type"],
  ];
  for (const [query, parameter] of cases) {
    const res = await app.request(`/anomalies?${query}`);
    const body = await res.json();
    assert.equal(res.status, 400, query);
    assert.equal(body.error.code, "bad_parameter", query);
    assert.equal(body.error.parameter, parameter, query);
  }
});

Deno.test("GET /anomalies answers an empty store and shows only what a full store still holds", async () => {
  assert.deepEqual(await getJson(testApp(new AnomalyStore(4)), "/anomalies"), {
    anomalies: [],
    count: 0,
    total_matched: 0,
    next_cursor: null,
  });
  const { store, stored } = await storeOf(makeEvents(15), 10);
  const body = await getJson(testApp(store), "/anomalies?limit=1000");
  assert.equal(body.total_matched, 10);
  assert.deepEqual(new Set(body.anomalies.map((e) => e.id)), new Set(stored.slice(5).map((e) => e.id)));
});

Deno.test("GET /anomalies shows an episode once: its closed event takes the place of its open one", async () => {
  const open = sampleAnomaly(5_000_000, "opened", { episode_id: "f-one" });
  const other = sampleAnomaly(7_000_000, "another", { episode_id: "f-two", ts: "2023-11-14T22:14:00.000Z" });
  const closed = { ...open, phase: "closed" as const, ts: "2023-11-14T22:15:00.000Z", reason: "over" };
  const { store, stored } = await storeOf([open, other, closed]);
  const body = await getJson(testApp(store), "/anomalies?sort=ts&order=asc");
  assert.equal(body.total_matched, 2);
  assert.deepEqual(body.anomalies.map((e) => [e.episode_id, e.phase, e.reason, e.id]), [
    ["f-two", "open", "another", stored[1].id],
    ["f-one", "closed", "over", stored[2].id],
  ]);
});

Deno.test("GET /anomalies filters host and subnet anomalies by their address, and never by port or protocol", async () => {
  const host = sampleAnomaly(9_000_000, "host", {
    episode_id: "h-1",
    scope: "host",
    subject: "10.0.0.5",
    direction: "received",
    src_ip: null,
    dst_ip: "10.0.0.5",
    src_port: null,
    dst_port: null,
    protocol: null,
    community_id: null,
  });
  const subnet = sampleAnomaly(9_000_000, "subnet", {
    episode_id: "n-1",
    scope: "subnet",
    subject: "10.0.7.0/24",
    src_ip: null,
    dst_ip: null,
    src_port: null,
    dst_port: null,
    protocol: null,
    community_id: null,
    cidr: "10.0.7.0/24",
  });
  const { store } = await storeOf([host, subnet]);
  const app = testApp(store);
  const episodes = async (q: string) =>
    (await getJson(app, `/anomalies?${q}`)).anomalies.map((e) => e.episode_id);
  assert.deepEqual(await episodes("ip=10.0.0.5"), ["h-1"]);
  assert.deepEqual(await episodes("dst_ip=10.0.0.5"), ["h-1"]);
  assert.deepEqual(await episodes("src_ip=10.0.0.5"), []);
  assert.deepEqual(await episodes("cidr=10.0.7.0/24"), ["n-1"]);
  assert.deepEqual((await episodes("cidr=10.0.0.0/16")).sort(), ["h-1", "n-1"]);
  assert.deepEqual(await episodes("port=443"), []);
  assert.deepEqual(await episodes("protocol=tcp"), []);
});
