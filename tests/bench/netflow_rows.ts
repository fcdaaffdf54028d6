/**
 * The NetFlow rows of the `deno task bench` table, from tests/bench/netflow_ingest.ts's result.
 */
import { type IngestStep, losslessRate, type NetflowIngestResult } from "./netflow_ingest.ts";

type Verdict = (value: number, target: number, higher: boolean) => string;
type Row = { measure: string; flintnet: string; peer: string; target: string; result: string };

/** The targets. */
export const NETFLOW_TARGET = { recordsPerS: 1_000_000, datagramMs: 10, idleRss: 60_000_000 };

const m = (n: number) => `${(n / 1e6).toFixed(2)} M/s`;
const int = (n: number) => n.toLocaleString("en-US");
const kept = (steps: IngestStep[], who: (s: IngestStep) => number) => steps.reduce((n, s) => n + who(s), 0);
const noFewer = (steps: IngestStep[]) => steps.every((s) => s.flintnet_records >= (s.nfcapd?.flows ?? 0));

/** Rows: lossless ingest beside nfcapd and alone, kept vs nfcapd, the slowest datagram, idle RSS. */
export function netflowRows(r: NetflowIngestResult, verdict: Verdict): Row[] {
  const upTo = r.beside.filter((s) => s.rate <= NETFLOW_TARGET.recordsPerS);
  const above = r.beside.filter((s) => s.rate > NETFLOW_TARGET.recordsPerS);
  const nfcapdLossless = losslessRate(r.beside, (s) => s.nfcapd?.flows ?? 0);
  return [{
    measure: `NetFlow v9 lossless ingest, beside nfcapd (same stream, ${r.seconds_per_step} s steps)`,
    flintnet: m(r.lossless_beside),
    peer: `nfcapd lossless to ${m(nfcapdLossless)}`,
    target: `≥ ${m(NETFLOW_TARGET.recordsPerS)}`,
    result: verdict(r.lossless_beside, NETFLOW_TARGET.recordsPerS, true),
  }, {
    measure: `NetFlow records kept vs nfcapd, rates up to ${m(NETFLOW_TARGET.recordsPerS)}`,
    flintnet: `${int(kept(upTo, (s) => s.flintnet_records))} of ${int(kept(upTo, (s) => s.sent_records))}`,
    peer: `nfcapd ${int(kept(upTo, (s) => s.nfcapd?.flows ?? 0))}`,
    target: "≥ nfcapd at each rate",
    result: noFewer(upTo) ? "PASS" : "MISS",
  }, {
    measure: `NetFlow records kept vs nfcapd, rates above ${m(NETFLOW_TARGET.recordsPerS)}`,
    flintnet: `${int(kept(above, (s) => s.flintnet_records))} of ${int(kept(above, (s) => s.sent_records))}`,
    peer: `nfcapd ${int(kept(above, (s) => s.nfcapd?.flows ?? 0))}`,
    target: "≥ nfcapd at each rate",
    result: above.length === 0 ? "n/a" : noFewer(above) ? "PASS" : "MISS",
  }, {
    measure: "NetFlow lossless ingest alone (in-process / Worker)",
    flintnet: `${m(r.lossless_alone)} / ${m(r.lossless_alone_worker)}`,
    peer: "—",
    target: `≥ ${m(NETFLOW_TARGET.recordsPerS)}`,
    result: verdict(r.lossless_alone, NETFLOW_TARGET.recordsPerS, true),
  }, {
    measure: `slowest NetFlow datagram (of ${int(r.per_datagram.datagrams)}, best of 3 runs)`,
    flintnet: `${r.per_datagram.max_ms.toFixed(2)} ms (${r.per_datagram.slowest})`,
    peer: `p99.9 ${r.per_datagram.p999_ms.toFixed(3)} ms; slowest single ${
      r.per_datagram.wall_max_ms.toFixed(1)
    } ms`,
    target: `≤ ${NETFLOW_TARGET.datagramMs} ms`,
    result: verdict(r.per_datagram.max_ms, NETFLOW_TARGET.datagramMs, false),
  }, {
    measure: "RSS, NetFlow collector idle (in-process / Worker)",
    flintnet: `${(r.rss_idle_bytes / 1e6).toFixed(1)} / ${(r.rss_idle_worker_bytes / 1e6).toFixed(1)} MB`,
    peer: `receive buffer ${(r.rcvbuf_bytes / 2 ** 20).toFixed(0)} MiB per socket (kernel)`,
    target: `≤ ${(NETFLOW_TARGET.idleRss / 1e6).toFixed(0)} MB`,
    result: verdict(r.rss_idle_bytes, NETFLOW_TARGET.idleRss, false),
  }];
}
