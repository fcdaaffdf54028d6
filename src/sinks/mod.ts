/**
 * Optional external sinks for central scale-out: ClickHouse (flows per minute, events) and InfluxDB
 * (time series) over HTTP, batched, with bounded retry spools on disk. The only file other folders import.
 */
export { type SinkDeps, type SinkSide, startSinks } from "./sink_side.ts";
export { type SinkStats } from "./batching_sink.ts";
export { clickhouseDdl } from "./clickhouse.ts";
