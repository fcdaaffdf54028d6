/**
 * The HTTP figures of `deno task bench`: /flows latency under wrk (tests/bench/http_flows.ts) and SSE
 * fan-out to 1 000 clients (tests/bench/sse_fanout.ts). Each script runs as its own process and prints
 * one JSON line last; this module runs them and turns their figures into table rows.
 */

/** The targets for the HTTP surface. */
export const HTTP_TARGET = { flowsP99Ms: 50, sseP99Ms: 100 };

/** What http_flows.ts prints. */
export interface FlowsLatency {
  p50_ms: number;
  p99_ms: number;
  requests_per_s: number;
  flows: number;
  concurrency: number;
}

/** What sse_fanout.ts prints (the fields used here). */
export interface SseFanout {
  clients: number;
  events_per_s: number;
  p50_ms: number;
  p99_ms: number;
  dropped_clients: number;
  rss_mb_start: number;
  rss_mb_end: number;
  stalled: {
    dropped: boolean;
    other_clients_dropped: number;
    rss_mb_start: number;
    rss_mb_max: number;
    rss_mb_end: number;
  };
}

/** Runs a bench script and parses its last stdout line; null (and why, on stderr) when it fails. */
export async function runJsonScript<T>(script: URL, args: string[] = []): Promise<T | null> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", script.pathname, ...args],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  if (out.code !== 0) {
    console.error(`bench: ${script.pathname} exited ${out.code}`);
    return null;
  }
  try {
    return JSON.parse(lines[lines.length - 1]) as T;
  } catch {
    console.error(`bench: ${script.pathname} printed no JSON result`);
    return null;
  }
}

/** Table rows for the HTTP figures. */
export function httpRows(
  flows: FlowsLatency | null,
  sse: SseFanout | null,
  verdict: (value: number, target: number, higher: boolean) => string,
  distinct: FlowsLatency | null = null,
): { measure: string; flintnet: string; peer: string; target: string; result: string }[] {
  const rows = [];
  for (const [f, what] of [[flows, ""], [distinct, ", every query different"]] as const) {
    if (!f) continue;
    rows.push({
      measure: `/flows?limit=100 p99, ${f.flows / 1000} k flows, ${f.concurrency} conns${what}`,
      flintnet: `${f.p99_ms.toFixed(1)} ms (p50 ${f.p50_ms.toFixed(1)})`,
      peer: `wrk: ${Math.round(f.requests_per_s)} req/s, capture running`,
      target: `≤ ${HTTP_TARGET.flowsP99Ms} ms`,
      result: verdict(f.p99_ms, HTTP_TARGET.flowsP99Ms, false),
    });
  }
  if (sse) {
    rows.push({
      measure: `SSE publish→receive p99, ${sse.clients} clients, ${sse.events_per_s} ev/s`,
      flintnet: `${sse.p99_ms.toFixed(1)} ms, ${sse.dropped_clients} dropped`,
      peer: `RSS ${sse.rss_mb_start} → ${sse.rss_mb_end} MB`,
      target: `≤ ${HTTP_TARGET.sseP99Ms} ms, 0 dropped`,
      result: sse.dropped_clients === 0
        ? verdict(sse.p99_ms, HTTP_TARGET.sseP99Ms, false)
        : "MISS (clients dropped)",
    });
    const s = sse.stalled;
    rows.push({
      measure: "SSE with one stalled client",
      flintnet: `stalled ${s.dropped ? "dropped" : "kept"}, ${s.other_clients_dropped} others dropped`,
      peer: `RSS ${s.rss_mb_start} → max ${s.rss_mb_max} → ${s.rss_mb_end} MB`,
      target: "stalled dropped, RSS flat",
      result: s.dropped && s.other_clients_dropped === 0 && s.rss_mb_max - s.rss_mb_start < 50
        ? "PASS"
        : "MISS",
    });
  }
  return rows;
}
