/**
 * HTTP benchmark: `GET /flows?limit=100` against a flow table of 100 k flows while capture runs.
 *
 *   deno run --allow-all tests/bench/http_flows.ts [--flows=N] [--connections=C] [--duration=S]
 *     [--capture-pps=P] [--path=/flows?limit=100] [--distinct]
 *
 * Fills a FlowTable (the daemon's default capacity) with N flows (90 % IPv4, 10 % IPv6; TCP, UDP and
 * ICMP) through a FlowPipeline with the EWMA detector, as src/app.ts wires them, and serves the /flows
 * routes with a real `Deno.serve` on 127.0.0.1 in this process. Meanwhile a timer on the main thread
 * (where the daemon's pipeline runs too) keeps feeding the pipeline packets of existing flows at
 * P packets/s, stamped with the current time. `wrk` (Debian package `wrk`) drives C concurrent
 * connections for S seconds with `--latency`; its latency distribution is parsed.
 *
 * Identical requests that arrive together share one pass over the table (see routes/flows.ts), and
 * wrk sends one URL over and over: the best case. `--distinct` makes every request a different query: it
 * cycles through the four sorts, both orders and five filters (none, protocol 6 or 17, min_bytes=1000,
 * port=443: 40 different pages) and appends `&since=<a number per request>` (every flow still matches
 * that), so no two requests are alike: the worst case, one pass and one page rendered each.
 *
 * Prints ONE JSON line on stdout: { p50_ms, p99_ms, requests_per_s, flows, concurrency, … } and a
 * human summary on stderr. Exit 1 when wrk is missing or the server answered anything but 200.
 * Set FLINTNET_API_TOKEN to have wrk send it (the routes themselves have no auth).
 */
import { Hono } from "hono";
import { EventBus } from "../../src/events/mod.ts";
import { loadDetectorConfig } from "../../src/config/mod.ts";
import { createPacketBatch, type PacketBatch, RowKind } from "../../src/decode/packet_batch.ts";
import { VolumeAnomalyDetector } from "../../src/detect/volume_anomaly.ts";
import { FlowPipeline } from "../../src/flow/flow_pipeline.ts";
import { FlowTable } from "../../src/flow/flow_table.ts";
import { BadParameter, errorResponse } from "../../src/http/errors.ts";
import { flowsRoutes } from "../../src/http/routes/flows.ts";

/** What one run reports. */
export interface HttpFlowsResult {
  /** Median latency, ms (wrk's distribution). */
  p50_ms: number;
  /** 99th percentile latency, ms. */
  p99_ms: number;
  /** Completed requests per second. */
  requests_per_s: number;
  /** Flows in the table at the start. */
  flows: number;
  /** Concurrent connections. */
  concurrency: number;
  /** Flows in the table at the end (capture only touches existing flows, so the same unless evicted). */
  flows_at_end: number;
  /** 75th and 90th percentiles, ms. */
  p75_ms: number;
  p90_ms: number;
  /** Largest latency wrk saw, ms. */
  max_ms: number;
  /** Requests completed. */
  requests: number;
  /** Responses that were not 2xx/3xx, and socket errors of any kind. */
  non_2xx: number;
  socket_errors: number;
  /** Packets the capture timer put through the pipeline per second while wrk ran. */
  capture_packets_per_s: number;
  /** Seconds wrk ran. */
  duration_s: number;
  /** The request path. */
  path: string;
  /** Whether every request had its own query (nothing shared). */
  distinct: boolean;
}

interface Options {
  flows: number;
  connections: number;
  durationS: number;
  capturePps: number;
  path: string;
  distinct: boolean;
}

function parseArgs(args: string[]): Options {
  const o: Options = {
    flows: 100_000,
    connections: 64,
    durationS: 10,
    capturePps: 100_000,
    path: "/flows?limit=100",
    distinct: false,
  };
  const usage =
    "usage: http_flows.ts [--flows=N] [--connections=C] [--duration=S] [--capture-pps=P] [--path=P] [--distinct]";
  for (const a of args) {
    if (a === "--distinct") {
      o.distinct = true;
      continue;
    }
    const m = /^--([a-z-]+)=(.+)$/.exec(a);
    const n = Number(m?.[2]);
    if (m?.[1] === "path" && m[2].startsWith("/")) o.path = m[2];
    else if (m?.[1] === "flows" && Number.isInteger(n) && n >= 1) o.flows = n;
    else if (m?.[1] === "connections" && Number.isInteger(n) && n >= 1) o.connections = n;
    else if (m?.[1] === "duration" && Number.isInteger(n) && n >= 1) o.durationS = n;
    else if (m?.[1] === "capture-pps" && Number.isInteger(n) && n >= 0) o.capturePps = n;
    else throw new RangeError(`${usage}\n  bad argument: ${a}`);
  }
  return o;
}

/** The absolute path of a tool on PATH (or root's sbin directories), or null. */
function findTool(name: string): string | null {
  const dirs = [...(Deno.env.get("PATH") ?? "").split(":"), "/usr/local/sbin", "/usr/sbin", "/sbin"];
  for (const d of dirs.filter(Boolean)) {
    try {
      if (Deno.statSync(`${d}/${name}`).isFile) return `${d}/${name}`;
    } catch { /* not here */ }
  }
  return null;
}

const PROTOS = [6, 6, 6, 17, 17, 1] as const;
const SERVICES = [443, 80, 53, 22] as const;

/** Writes a packet of flow `i` (a deterministic 5-tuple) into row `r`. */
function writeFlowRow(b: PacketBatch, r: number, i: number, tsMs: number, ipBytes: number): void {
  const a = r << 2;
  const v6 = i % 10 === 0;
  const icmp = PROTOS[i % PROTOS.length] === 1;
  const proto = icmp && v6 ? 58 : PROTOS[i % PROTOS.length];
  b.kind[r] = RowKind.Ip;
  b.tsMs[r] = tsMs;
  b.frameLen[r] = ipBytes + 14;
  b.vlan[r] = 0;
  b.family[r] = v6 ? 6 : 4;
  // IPv6 2001:db8:<i>::1 → 2001:db8:ffff::<i % 50>; IPv4 10.<i> → 50 servers in 192.0.2.0/24
  b.src[a] = v6 ? 0x20010db8 : (0x0a000000 + i) >>> 0;
  b.src[a + 1] = v6 ? i : 0;
  b.src[a + 2] = 0;
  b.src[a + 3] = v6 ? 1 : 0;
  b.dst[a] = v6 ? 0x20010db8 : 0xc0000200 + (i % 50);
  b.dst[a + 1] = v6 ? 0xffff0000 : 0;
  b.dst[a + 2] = 0;
  b.dst[a + 3] = v6 ? i % 50 : 0;
  b.proto[r] = proto;
  b.srcPort[r] = icmp ? 8 : 1024 + (i % 60000); // ICMP: echo request, code 0
  b.dstPort[r] = icmp ? 0 : SERVICES[i % SERVICES.length];
  b.ipBytes[r] = ipBytes;
  b.tcpFlags[r] = proto === 6 ? 0x18 : 0;
  b.ethSrc[r] = 0x020000000001;
}

/** xorshift32: a cheap deterministic stream of flow indices and sizes. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}

/** Latency like "1.23ms", "870.00us", "1.02s", "2.00m" → ms. */
function toMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!m) return NaN;
  const scale = { us: 0.001, ms: 1, s: 1000, m: 60_000 }[m[2] as "us" | "ms" | "s" | "m"];
  return Number(m[1]) * scale;
}

/** The figures of wrk's text output (with --latency). */
export function parseWrk(out: string): {
  p50: number;
  p75: number;
  p90: number;
  p99: number;
  max: number;
  rps: number;
  requests: number;
  non2xx: number;
  socketErrors: number;
} {
  const pct = (p: number) => toMs(new RegExp(`^\\s+${p}%\\s+(\\S+)`, "m").exec(out)?.[1] ?? "");
  const max = toMs(/^\s+Latency\s+\S+\s+\S+\s+(\S+)/m.exec(out)?.[1] ?? "");
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    p50: pct(50),
    p75: pct(75),
    p90: pct(90),
    p99: pct(99),
    max,
    rps: Number(/^Requests\/sec:\s+([\d.]+)/m.exec(out)?.[1] ?? NaN),
    requests: Number(/^\s+(\d+) requests in/m.exec(out)?.[1] ?? NaN),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
    socketErrors: errors ? errors.slice(1).reduce((s, x) => s + Number(x), 0) : 0,
  };
}

/**
 * The wrk script: the Authorization header when a token is given (read from wrk's environment, so it
 * is not written to disk), and with `distinct` a different query on every request.
 */
function wrkScript(token: boolean, distinct: boolean): string {
  const lines: string[] = [];
  if (token) lines.push(`wrk.headers["Authorization"] = "Bearer " .. os.getenv("FLINTNET_API_TOKEN")`);
  if (distinct) {
    // Each wrk thread has its own Lua state: setup() numbers them so their queries differ too.
    lines.push(
      "local threads = 0",
      'function setup(thread) threads = threads + 1; thread:set("id", threads) end',
      "local n = 0",
      'local sorts = {"bytes", "packets", "last_seen", "first_seen"}',
      'local orders = {"desc", "asc"}',
      'local filters = {"", "&protocol=6", "&protocol=17", "&min_bytes=1000", "&port=443"}',
      "request = function()",
      "  n = n + 1",
      '  local q = wrk.path .. "&sort=" .. sorts[n % 4 + 1] .. "&order=" .. orders[math.floor(n / 4) % 2 + 1]',
      '    .. filters[math.floor(n / 8) % 5 + 1] .. "&since=" .. (id * 100000000 + n)',
      "  return wrk.format(nil, q)",
      "end",
    );
  }
  return lines.join("\n") + "\n";
}

async function main(o: Options): Promise<HttpFlowsResult> {
  const wrk = findTool("wrk");
  if (!wrk) throw new Error("wrk is missing: apt-get install -y wrk");
  const cfg = loadDetectorConfig(
    Object.fromEntries(Object.entries(Deno.env.toObject()).filter(([k]) => k.startsWith("FLINTNET_"))),
    { defaultEnvFile: "/nonexistent/flintnet.env" },
  );
  const table = new FlowTable(cfg.maxFlows);
  const bus = new EventBus();
  const ewma = new VolumeAnomalyDetector(table, cfg.anomaly, (e) => bus.publish(e));
  const pipeline = new FlowPipeline(table, [ewma], {
    intervalMs: cfg.anomaly.intervalS * 1000,
    idleTimeoutMs: cfg.flowIdleTimeoutS * 1000,
    activeTimeoutMs: cfg.flowActiveTimeoutS * 1000,
  });

  // Fill: every flow once, timestamps over the last minute, sizes from 40 to 1,500 bytes.
  const batch = createPacketBatch(8192);
  const rand = rng(0x5eed);
  const start = Date.now() - 60_000;
  for (let first = 0; first < o.flows; first += batch.capacity) {
    const n = Math.min(batch.capacity, o.flows - first);
    for (let r = 0; r < n; r++) {
      const i = first + r;
      writeFlowRow(batch, r, i, start + (60_000 * i) / o.flows, 40 + (rand() % 1461));
    }
    batch.count = n;
    pipeline.consume(batch);
  }
  if (table.size !== o.flows) throw new Error(`filled ${table.size} flows, wanted ${o.flows}`);

  // "Capture running": packets of random existing flows at the target rate, as a live capture's
  // batches would arrive on the main thread.
  let captured = 0, capturing = false;
  let last = performance.now();
  const tick = setInterval(() => {
    const now = performance.now();
    const due = Math.min(batch.capacity, Math.round((o.capturePps * (now - last)) / 1000));
    last = now;
    if (!capturing || due === 0) return;
    const ts = Date.now();
    for (let r = 0; r < due; r++) writeFlowRow(batch, r, rand() % o.flows, ts, 40 + (rand() % 1461));
    batch.count = due;
    pipeline.consume(batch);
    captured += due;
  }, 5);

  const app = new Hono();
  app.onError((err, c) =>
    err instanceof BadParameter
      ? errorResponse(c, 400, "bad_parameter", err.message, err.parameter)
      : errorResponse(c, 500, "internal", String(err))
  );
  app.route("/", flowsRoutes({ table, warmupIntervals: cfg.anomaly.warmupIntervals }));
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
    app.fetch,
  );
  const url = `http://127.0.0.1:${server.addr.port}${o.path}`;
  const tmp = await Deno.makeTempDir({ prefix: "flintnet-http-bench-" });
  try {
    // Warm-up: JIT the handler, and check it answers what it should.
    capturing = true;
    for (let i = 0; i < 200; i++) {
      const res = await fetch(url);
      const body = await res.text();
      if (res.status !== 200) throw new Error(`GET ${o.path} → ${res.status}: ${body.slice(0, 300)}`);
    }
    const script = `${tmp}/auth.lua`;
    await Deno.writeTextFile(script, wrkScript(Boolean(Deno.env.get("FLINTNET_API_TOKEN")), o.distinct));
    const threads = Math.max(1, Math.min(2, o.connections));
    if (o.distinct) {
      // The different queries take paths the identical one does not (other sorts, orders, filters): 3 s
      // of the same load first, not measured, so the figure is the steady state and not V8 compiling them
      // (the first two seconds held the slowest rounds, 40–77 ms against 15 ms after).
      const warm = await new Deno.Command(wrk, {
        args: [`-t${threads}`, `-c${o.connections}`, "-d3s", "-s", script, url],
        stdout: "null",
        stderr: "piped",
        env: { FLINTNET_API_TOKEN: Deno.env.get("FLINTNET_API_TOKEN") ?? "" },
      }).output();
      if (!warm.success) throw new Error(`wrk warm-up failed: ${new TextDecoder().decode(warm.stderr)}`);
    }
    const capturedBefore = captured, t0 = performance.now();
    const child = new Deno.Command(wrk, {
      args: [`-t${threads}`, `-c${o.connections}`, `-d${o.durationS}s`, "--latency", "-s", script, url],
      stdout: "piped",
      stderr: "piped",
      env: { FLINTNET_API_TOKEN: Deno.env.get("FLINTNET_API_TOKEN") ?? "" },
    }).spawn();
    const out = await child.output();
    const wallS = (performance.now() - t0) / 1000;
    const capturePps = (captured - capturedBefore) / wallS;
    const text = new TextDecoder().decode(out.stdout);
    if (out.code !== 0) throw new Error(`wrk failed (${out.code}): ${new TextDecoder().decode(out.stderr)}`);
    const w = parseWrk(text);
    const r2 = (x: number) => Math.round(x * 100) / 100;
    const result: HttpFlowsResult = {
      p50_ms: r2(w.p50),
      p99_ms: r2(w.p99),
      requests_per_s: Math.round(w.rps),
      flows: o.flows,
      concurrency: o.connections,
      flows_at_end: table.size,
      p75_ms: r2(w.p75),
      p90_ms: r2(w.p90),
      max_ms: r2(w.max),
      requests: w.requests,
      non_2xx: w.non2xx,
      socket_errors: w.socketErrors,
      capture_packets_per_s: Math.round(capturePps),
      duration_s: o.durationS,
      path: o.path,
      distinct: o.distinct,
    };
    console.error(text.trimEnd());
    console.error(
      `\nGET ${o.path}${
        o.distinct ? "&sort=…&order=…&<filter>&since=<distinct>" : ""
      }: ${result.requests_per_s} req/s, p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms ` +
        `(target ≤ 50 ms) at ${o.connections} connections; ${result.flows.toLocaleString("en-US")} flows, ` +
        `capture ${result.capture_packets_per_s.toLocaleString("en-US")} packets/s on the same thread`,
    );
    if (w.non2xx > 0) throw new Error(`${w.non2xx} responses were not 2xx`);
    return result;
  } finally {
    clearInterval(tick);
    ac.abort();
    await server.finished;
    await Deno.remove(tmp, { recursive: true }).catch(() => undefined);
  }
}

if (import.meta.main) {
  try {
    console.log(JSON.stringify(await main(parseArgs(Deno.args))));
  } catch (e) {
    console.error(`http_flows: ${e instanceof Error ? e.message : e}`);
    Deno.exit(1);
  }
}
