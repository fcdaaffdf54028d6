/** The bench table's rows for tests/bench/flow_history.ts. */
import type { FlowHistoryBenchResult } from "./flow_history.ts";

export type { FlowHistoryBenchResult };

/** Rows: top-N over an hour (target < 1 s), writes, the analysis minute, the file's size. */
export function historyRows(
  r: FlowHistoryBenchResult,
  verdict: (value: number, target: number, higher: boolean) => string,
): { measure: string; flintnet: string; peer: string; target: string; result: string }[] {
  const worst = Math.max(...r.top100_ms);
  const med = [...r.top100_ms].sort((a, b) => a - b)[Math.floor(r.top100_ms.length / 2)];
  return [
    {
      measure: `history: top 100 flows over an hour at ${
        r.flows_per_minute.toLocaleString("en-US")
      } flows/min`,
      flintnet: `median ${med} ms, worst ${worst} ms (ip= filter: median ${
        [...r.top100_ip_ms].sort((a, b) => a - b)[Math.floor(r.top100_ip_ms.length / 2)]
      } ms)`,
      peer: "—",
      target: "< 1000 ms",
      result: verdict(worst, 1000, false),
    },
    {
      measure: "history: a minute written (Worker) / handed over (pipeline thread)",
      flintnet: `${r.write_ms.median} ms (max ${r.write_ms.max}) / ${r.handoff_ms} ms`,
      peer: "—",
      target: "< 60000 ms",
      result: verdict(r.write_ms.max, 60_000, false),
    },
    {
      measure: "history: file size for the hour",
      flintnet: `${Math.round(r.file_bytes / 1e6)} MB (${r.rows.toLocaleString("en-US")} flow rows)`,
      peer: "—",
      target: "—",
      result: "—",
    },
    {
      measure: "advisories: the analysis engine's minute over 10,000 flows",
      flintnet: `${r.analysis_minute_ms} ms`,
      peer: "—",
      target: "< 1000 ms",
      result: verdict(r.analysis_minute_ms, 1000, false),
    },
  ];
}
