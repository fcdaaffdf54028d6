/**
 * What the sinks cost per 1,000 flows/s, for docs/scale-out.md: one minute of a site that starts 1,000
 * flows a second (60,000 flows, each a new 5-tuple) goes through the sinks' own code — the per-minute
 * flow pass, the JSONEachRow rows, the per-host line protocol — into Debian's clickhouse-server, and
 * ClickHouse says what it stored. Run: deno run -A tests/bench/sink_cost.ts [flows-per-second]
 * Prints one JSON document.
 */
import { FlowTable, type RecordRows } from "../../src/flow/flow_table.ts";
import { type FlowMinuteRow, FlowMinutes } from "../../src/sinks/flow_minutes.ts";
import { ClickhouseTransport } from "../../src/sinks/clickhouse.ts";
import { line } from "../../src/sinks/influx.ts";
import { startClickhouse } from "../helpers/sink_servers.ts";
import { freePort } from "../helpers/ports.ts";

const perSecond = Number(Deno.args[0] ?? 1000);
const n = perSecond * 60;
const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);

// n IPv4 flows from 400 hosts of a /23 to varied servers, as NetFlow-style records with counts.
const rows: RecordRows = {
  family: new Uint8Array(n).fill(4),
  src: new Uint32Array(n * 4),
  dst: new Uint32Array(n * 4),
  srcPort: new Uint16Array(n),
  dstPort: new Uint16Array(n),
  proto: new Uint8Array(n),
  vlan: new Uint16Array(n),
  tcpFlags: new Uint8Array(n),
  tsMs: new Float64Array(n),
  bytes: new Float64Array(n),
  packets: new Float64Array(n),
};
let seed = 42;
const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
for (let i = 0; i < n; i++) {
  rows.src[i * 4] = (0x0ae70000 | Math.floor(rnd() * 400)) >>> 0; // 10.231.0.0/23
  rows.dst[i * 4] = (0xc6336400 | Math.floor(rnd() * 4096)) >>> 0;
  rows.srcPort[i] = 1024 + Math.floor(rnd() * 60000);
  rows.dstPort[i] = [443, 80, 53, 123, 22][Math.floor(rnd() * 5)];
  rows.proto[i] = rows.dstPort[i] === 53 || rows.dstPort[i] === 123 ? 17 : 6;
  rows.tsMs[i] = t0 + (i / perSecond) * 1000;
  rows.packets[i] = 1 + Math.floor(rnd() * 200);
  rows.bytes[i] = rows.packets[i] * (60 + Math.floor(rnd() * 1400));
}
const table = new FlowTable(n * 2);
table.addRecords(rows, 0, n);

let emitted: FlowMinuteRow[] = [];
const minutes = new FlowMinutes(table, (r) => (emitted = r), n);
const a = performance.now();
minutes.onInterval(t0 + 50_000, t0 + 60_000);
const passMs = performance.now() - a;
// A pass over the same flows with nothing new: what each further interval of the minute costs.
const q = performance.now();
minutes.onInterval(t0 + 60_000, t0 + 60_000);
const quietPassMs = performance.now() - q;
minutes.flush();
const b = performance.now();
const json = emitted.map(({ minuteMs, ...r }) =>
  JSON.stringify({
    site: "site-a",
    minute: new Date(minuteMs).toISOString().slice(0, 19).replace("T", " "),
    ...r,
  })
).join("\n") + "\n";
const sent = new Map<string, number>();
for (const r of emitted) sent.set(r.src_ip, (sent.get(r.src_ip) ?? 0) + r.bytes);
const lines = [...sent].slice(0, 500).map(([h, v]) =>
  line("flintnet_host", { site: "site-a", host: h }, { bytes_sent: v }, t0)
)
  .join("\n");
const serializeMs = performance.now() - b;
const body = new TextEncoder().encode(json);

const ch = await startClickhouse(freePort(), freePort(), "unused-password");
try {
  const target = { url: ch.url, database: "flintnet", user: null, secret: null };
  const transport = new ClickhouseTransport(target, "flows_minute");
  await transport.prepare(AbortSignal.timeout(30_000));
  const c = performance.now();
  await transport.send(body, AbortSignal.timeout(60_000));
  const insertMs = performance.now() - c;
  await ch.query("OPTIMIZE TABLE flintnet.flows_minute FINAL");
  const parts = JSON.parse(
    (await ch.query(
      "SELECT sum(rows) AS rows, sum(data_compressed_bytes) AS compressed, sum(data_uncompressed_bytes) AS raw " +
        "FROM system.parts WHERE database = 'flintnet' AND table = 'flows_minute' AND active FORMAT JSONEachRow",
    )).trim(),
  );
  console.log(JSON.stringify({
    flows_per_second: perSecond,
    flows_per_minute: n,
    rows_written: emitted.length,
    flintnet_flow_pass_ms: Math.round(passMs),
    flintnet_quiet_pass_ms: Math.round(quietPassMs * 10) / 10,
    flintnet_serialize_ms: Math.round(serializeMs),
    clickhouse_request_bytes: body.length,
    clickhouse_insert_ms: Math.round(insertMs),
    clickhouse_rows: Number(parts.rows),
    clickhouse_compressed_bytes: Number(parts.compressed),
    clickhouse_uncompressed_bytes: Number(parts.raw),
    influx_host_lines: lines.split("\n").length,
    influx_host_bytes: lines.length,
  }));
} finally {
  await ch.stop();
}
