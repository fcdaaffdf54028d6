import assert from "node:assert/strict";
import { Hono } from "hono";
import { setLogSink } from "../base/log.ts";
import { bearerAuth } from "./auth.ts";
import { httpMetrics, MetricsRegistry } from "./metrics.ts";
import { FailedAuthLimiter } from "./rate_limit.ts";
import { TicketStore } from "./tickets.ts";

// ------------------------------------------------------------ an independent reader of the format

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Family {
  help: string;
  type: string;
  samples: Sample[];
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";

/** The value of a sample as Prometheus reads it (Go ParseFloat plus the special values). */
function parseValue(text: string): number {
  if (text === "+Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  if (text === "NaN") return NaN;
  assert.match(text, /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/, `sample value ${text}`);
  return Number(text);
}

/** Label set `{a="x",b="y\"z"}` → object; checks the escaping rules while reading. */
function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const m = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(text.slice(i));
    assert.ok(m, `label name at ${i} in ${text}`);
    i += m[0].length;
    let value = "";
    for (;;) {
      const ch = text[i++];
      assert.ok(ch !== undefined && ch !== "\n", `unterminated label value in ${text}`);
      if (ch === '"') break;
      if (ch === "\\") {
        const esc = text[i++];
        assert.ok(esc === "\\" || esc === '"' || esc === "n", `bad escape \\${esc}`);
        value += esc === "n" ? "\n" : esc;
      } else value += ch;
    }
    assert.ok(!(m[1] in out), `label ${m[1]} repeated`);
    out[m[1]] = value;
    if (text[i] === ",") i++;
  }
  return out;
}

/** Reads a whole exposition, checking HELP/TYPE precede their samples and families are contiguous. */
function parseExposition(text: string): Map<string, Family> {
  assert.ok(text.endsWith("\n"), "ends with a line feed");
  const families = new Map<string, Family>();
  let current: string | undefined;
  const familyOf = (sample: string): string | undefined => {
    if (families.has(sample)) return sample;
    const base = sample.replace(/_(bucket|sum|count)$/, "");
    return families.get(base)?.type === "histogram" ? base : undefined;
  };
  for (const line of text.slice(0, -1).split("\n")) {
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`^# HELP (${NAME}) (.*)$`).exec(line))) {
      assert.ok(!families.has(m[1]), `one HELP for ${m[1]}`);
      families.set(m[1], {
        help: m[2].replace(/\\(\\|n)/g, (_, c) => c === "n" ? "\n" : "\\"),
        type: "",
        samples: [],
      });
      current = m[1];
    } else if ((m = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line))) {
      assert.equal(m[1], current, "TYPE follows its HELP");
      const f = families.get(m[1])!;
      assert.equal(f.type, "", "one TYPE");
      assert.equal(f.samples.length, 0, "TYPE before samples");
      f.type = m[2];
    } else {
      m = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)$`).exec(line);
      assert.ok(m, `sample line: ${JSON.stringify(line)}`);
      const family = familyOf(m[1]);
      assert.ok(family !== undefined, `sample ${m[1]} has a declared family`);
      assert.equal(family, current, `samples of ${family} are contiguous`);
      families.get(family)!.samples.push({
        name: m[1],
        labels: parseLabels(m[2] ?? ""),
        value: parseValue(m[3]),
      });
    }
  }
  for (const [name, f] of families) {
    if (f.type === "histogram") checkHistogram(name, f);
    if (f.type === "counter") { for (const s of f.samples) assert.ok(s.value >= 0, `${name} counter ≥ 0`); }
  }
  return families;
}

function checkHistogram(name: string, f: Family): void {
  const key = (l: Record<string, string>) =>
    JSON.stringify(Object.entries(l).filter(([k]) => k !== "le").sort());
  const series = new Map<string, { les: number[]; counts: number[]; sum?: number; count?: number }>();
  const get = (l: Record<string, string>) => {
    let s = series.get(key(l));
    if (!s) series.set(key(l), s = { les: [], counts: [] });
    return s;
  };
  for (const s of f.samples) {
    if (s.name === `${name}_bucket`) {
      assert.ok("le" in s.labels, "bucket has le");
      get(s.labels).les.push(parseValue(s.labels.le));
      get(s.labels).counts.push(s.value);
    } else if (s.name === `${name}_sum`) get(s.labels).sum = s.value;
    else if (s.name === `${name}_count`) get(s.labels).count = s.value;
    else assert.fail(`unexpected ${s.name} in histogram ${name}`);
  }
  for (const [k, s] of series) {
    assert.ok(s.les.length > 0 && s.les.at(-1) === Infinity, `${name}${k} ends with le="+Inf"`);
    for (let i = 1; i < s.les.length; i++) {
      assert.ok(s.les[i] > s.les[i - 1], `${name}${k} le increasing`);
      assert.ok(s.counts[i] >= s.counts[i - 1], `${name}${k} buckets cumulative`);
    }
    assert.equal(s.counts.at(-1), s.count, `${name}${k} +Inf bucket = _count`);
    assert.ok(s.sum !== undefined, `${name}${k} has _sum`);
  }
}

function sample(
  f: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const family = f.get(name) ?? f.get(name.replace(/_(bucket|sum|count)$/, ""));
  return family?.samples.find((s) =>
    s.name === name &&
    JSON.stringify(Object.entries(s.labels).sort()) === JSON.stringify(Object.entries(labels).sort())
  )?.value;
}

// ------------------------------------------------------------ tests

Deno.test("MetricsRegistry.render() writes HELP, TYPE and samples the format's reader accepts", () => {
  const r = new MetricsRegistry();
  const c = r.counter("test_requests_total", "Requests.", ["code"]);
  const g = r.gauge("test_temperature", "A gauge.");
  const h = r.histogram("test_latency_seconds", "Latency.", [0.5, 1], ["path"]);
  c.inc(1, { code: 200 });
  c.inc(2, { code: 200 });
  c.inc(1, { code: "404" });
  g.set(-3.5);
  for (const v of [0.3, 0.5, 0.7, 5]) h.observe(v, { path: "/a" });
  const f = parseExposition(r.render());
  assert.deepEqual([...f.keys()], ["test_requests_total", "test_temperature", "test_latency_seconds"]);
  assert.deepEqual(
    [...f.values()].map((x) => [x.type, x.help]),
    [["counter", "Requests."], ["gauge", "A gauge."], ["histogram", "Latency."]],
  );
  assert.equal(sample(f, "test_requests_total", { code: "200" }), 3);
  assert.equal(sample(f, "test_requests_total", { code: "404" }), 1);
  assert.equal(sample(f, "test_temperature"), -3.5);
  // 0.5 falls in le="0.5": buckets are upper-inclusive.
  assert.equal(sample(f, "test_latency_seconds_bucket", { path: "/a", le: "0.5" }), 2);
  assert.equal(sample(f, "test_latency_seconds_bucket", { path: "/a", le: "1" }), 3);
  assert.equal(sample(f, "test_latency_seconds_bucket", { path: "/a", le: "+Inf" }), 4);
  assert.equal(sample(f, "test_latency_seconds_sum", { path: "/a" }), 6.5);
  assert.equal(sample(f, "test_latency_seconds_count", { path: "/a" }), 4);
});

Deno.test("MetricsRegistry renders unlabelled metrics at zero before anything happened", () => {
  const r = new MetricsRegistry();
  r.counter("a_total", "A.");
  r.histogram("b_seconds", "B.", [1]);
  r.gauge("c", "C.", ["x"]);
  const f = parseExposition(r.render());
  assert.equal(sample(f, "a_total"), 0);
  assert.equal(sample(f, "b_seconds_count"), 0);
  assert.equal(sample(f, "b_seconds_bucket", { le: "+Inf" }), 0);
  assert.deepEqual(f.get("c")!.samples, [], "a labelled metric without series has no samples");
});

Deno.test("MetricsRegistry escapes label values and help text", () => {
  const r = new MetricsRegistry();
  const tricky = 'back\\slash "quoted"\nnew line } , =';
  r.gauge("esc", 'Help with \\ and\nnewline "quotes".', ["v"]).set(1, { v: tricky });
  const text = r.render();
  assert.equal(text, text.split("\n").slice(0, 3).join("\n") + "\n", "three lines: no raw line feed escapes");
  const f = parseExposition(text);
  assert.deepEqual(f.get("esc")!.samples[0].labels, { v: tricky });
  assert.equal(f.get("esc")!.help, 'Help with \\ and\nnewline "quotes".');
});

Deno.test("MetricsRegistry writes special values as +Inf, -Inf and NaN", () => {
  const r = new MetricsRegistry();
  const g = r.gauge("special", "S.", ["k"]);
  g.set(Infinity, { k: "a" });
  g.set(-Infinity, { k: "b" });
  g.set(NaN, { k: "c" });
  const text = r.render();
  assert.match(text, /^special\{k="a"\} \+Inf$/m);
  assert.match(text, /^special\{k="b"\} -Inf$/m);
  assert.match(text, /^special\{k="c"\} NaN$/m);
  parseExposition(text);
});

Deno.test("MetricsRegistry runs collect hooks at every render", () => {
  const r = new MetricsRegistry();
  const active = r.gauge("flows_active", "Active.");
  let flows = 7, calls = 0;
  r.collect("test", () => {
    calls++;
    active.set(flows);
  });
  assert.equal(calls, 0, "nothing runs at registration");
  assert.equal(sample(parseExposition(r.render()), "flows_active"), 7);
  flows = 9;
  assert.equal(sample(parseExposition(r.render()), "flows_active"), 9);
  assert.equal(calls, 2);
});

Deno.test("MetricsRegistry renders the rest when a collector throws, names it in the log and in its metrics", () => {
  const lines: string[] = [];
  setLogSink((l) => lines.push(l));
  let text: string;
  try {
    const r = new MetricsRegistry();
    const g = r.gauge("ok_gauge", "Fine.");
    r.collect("broken", () => {
      throw new Error("collector broke");
    });
    r.collect("fine", () => g.set(1));
    text = r.render();
    assert.throws(() => r.collect("fine", () => {}), /already added/);
  } finally {
    setLogSink(undefined);
  }
  const samples = parseExposition(text);
  assert.equal(sample(samples, "ok_gauge"), 1);
  assert.equal(sample(samples, "flintnet_collector_success", { collector: "broken" }), 0);
  assert.equal(sample(samples, "flintnet_collector_success", { collector: "fine" }), 1);
  assert.ok(sample(samples, "flintnet_collector_duration_seconds", { collector: "fine" })! >= 0);
  const logged = lines.map((l) => JSON.parse(l)).find((r) => r.msg === "collector broken failed");
  assert.ok(logged, `the log names the collector: ${lines.join("\n")}`);
  assert.match(JSON.stringify(logged), /collector broke/);
});

Deno.test("MetricsRegistry refuses bad names, duplicate metrics and wrong label sets", () => {
  const r = new MetricsRegistry();
  assert.throws(() => r.counter("1bad", "x"), RangeError);
  assert.throws(() => r.counter("bad-name", "x"), RangeError);
  assert.throws(() => r.counter("ok", "x", ["__reserved"]), RangeError);
  assert.throws(() => r.histogram("h", "x", [1], ["le"]), RangeError);
  assert.throws(() => r.histogram("h", "x", [2, 1]), RangeError);
  assert.throws(() => r.histogram("h", "x", []), RangeError);
  const c = r.counter("dup_total", "x", ["a"]);
  assert.throws(() => r.gauge("dup_total", "y"), /already registered/);
  r.histogram("lat", "x", [1]);
  assert.throws(() => r.counter("lat_count", "y"), /already registered/, "a histogram owns its _count");
  assert.throws(() => c.inc(1), /needs label a/);
  assert.throws(() => c.inc(1, { a: "x", b: "y" }), /takes labels a/);
  assert.throws(() => c.inc(-1, { a: "x" }), RangeError, "counters only go up");
});

/** A Hono app with the HTTP metrics in front of auth, as the daemon composes them. */
function instrumentedApp() {
  const registry = new MetricsRegistry();
  const app = new Hono();
  app.use("*", httpMetrics(registry));
  app.use(
    "*",
    bearerAuth({
      token: "metrics-test-token-123456",
      tickets: new TicketStore(),
      limiter: new FailedAuthLimiter(),
      public: (_m, p) => p !== "/private",
    }),
  );
  app.get("/devices/:ip", (c) => c.json({ ip: c.req.param("ip") }));
  app.get("/private", (c) => c.text("secret"));
  app.get("/boom", () => {
    throw new Error("boom");
  });
  app.onError((_e, c) => c.json({ error: {} }, 500));
  return { app, registry };
}

Deno.test("httpMetrics() labels requests by route pattern, never the raw URL", async () => {
  const { app, registry } = instrumentedApp();
  await app.request("/devices/192.0.2.1");
  await app.request("/devices/192.0.2.2?x=1");
  await app.request("/no/such/thing/12345");
  await app.request("/private");
  await app.request("/boom");
  await app.request("/devices/192.0.2.3", { method: "BREW" });
  const f = parseExposition(registry.render());
  const requests = f.get("flintnet_http_requests_total")!;
  assert.equal(requests.type, "counter");
  const seen = requests.samples.map((s) =>
    `${s.labels.method} ${s.labels.route} ${s.labels.status} ${s.value}`
  );
  assert.deepEqual(seen.sort(), [
    "GET /boom 500 1",
    "GET /devices/:ip 200 2",
    "GET /private 401 1",
    "GET unmatched 404 1",
    "other unmatched 404 1",
  ]);
  assert.ok(!registry.render().includes("192.0.2"), "no address from a URL in any label");
  assert.equal(
    sample(f, "flintnet_http_request_duration_seconds_count", { method: "GET", route: "/devices/:ip" }),
    2,
  );
});
