/**
 * InfluxDB line protocol over HTTP (https://docs.influxdata.com/influxdb/v1/write_protocols/line_protocol_reference/):
 * batches POSTed to `/write?db=…&precision=ms`, which InfluxDB 1.x serves and 2.x keeps for
 * compatibility. Escaping follows the reference: in tag keys and values, commas, equals signs and
 * spaces get a backslash; string field values are quoted with `"` and `\` escaped.
 */
import type { HttpSinkTarget } from "../config/mod.ts";
import type { InterfaceEvent } from "../events/mod.ts";
import { RefusedBatch, type SinkTransport } from "./batching_sink.ts";

/** A tag key or value, escaped. */
export function escapeTag(text: string): string {
  return text.replace(/[,= \\]/g, (c) => `\\${c}`).replace(/\n/g, "\\n");
}

const NO_FLOATS: ReadonlySet<string> = new Set();

/**
 * One line: measurement, tags (sorted, empty ones left out), numeric fields, time in ms. The fields named in
 * `floats` are written as floats, every other as an integer (rounded). A field's type is the caller's to say,
 * not the value's: InfluxDB refuses a point whose field changes type (`in_util_pct=12.5`, later
 * `in_util_pct=0i`, "field type conflict"), and with it the whole batch it came in.
 */
export function line(
  measurement: string,
  tags: Record<string, string>,
  fields: Record<string, number>,
  timeMs: number,
  floats: ReadonlySet<string> = NO_FLOATS,
): string | undefined {
  const f = Object.entries(fields).filter(([, v]) => Number.isFinite(v));
  if (f.length === 0) return undefined;
  const t = Object.entries(tags).filter(([, v]) => v !== "").sort(([a], [b]) => (a < b ? -1 : 1));
  const tagText = t.map(([k, v]) => `,${escapeTag(k)}=${escapeTag(v)}`).join("");
  const fieldText = f.map(([k, v]) => `${escapeTag(k)}=${floats.has(k) ? v : `${Math.round(v)}i`}`).join(",");
  return `${measurement.replace(/[, ]/g, (c) => `\\${c}`)}${tagText} ${fieldText} ${Math.round(timeMs)}`;
}

/** flintnet_interface's float fields (utilisation, 0–100 to a thousandth); its rates are whole bits/s. */
const INTERFACE_FLOATS: ReadonlySet<string> = new Set(["in_util_pct", "out_util_pct"]);

/** The flintnet_interface point of an interface event (its rates and utilisation), or undefined without any. */
export function interfaceLine(site: string, e: InterfaceEvent): string | undefined {
  const i = e.interface;
  return line(
    "flintnet_interface",
    { site, device: e.device_ip, interface: i.name },
    {
      ...(i.in_bps === null ? {} : { in_bps: i.in_bps }),
      ...(i.out_bps === null ? {} : { out_bps: i.out_bps }),
      ...(i.in_util_pct === null ? {} : { in_util_pct: i.in_util_pct }),
      ...(i.out_util_pct === null ? {} : { out_util_pct: i.out_util_pct }),
    },
    Date.parse(e.ts),
    INTERFACE_FLOATS,
  );
}

/** Sends line-protocol batches to InfluxDB. */
export class InfluxTransport implements SinkTransport {
  readonly #t: HttpSinkTarget;

  constructor(target: HttpSinkTarget) {
    this.#t = target;
  }

  async send(body: Uint8Array<ArrayBuffer>, signal: AbortSignal): Promise<void> {
    const url = new URL(this.#t.url + "/write");
    url.searchParams.set("db", this.#t.database);
    url.searchParams.set("precision", "ms");
    const headers: Record<string, string> = { "Content-Type": "text/plain; charset=utf-8" };
    if (this.#t.secret !== null) headers.Authorization = `Token ${this.#t.secret}`;
    const r = await fetch(url, { method: "POST", headers, body, signal });
    const text = await r.text();
    // 204: written. A 400 (a line it refused) would never succeed on retry: say so, and drop it.
    if (r.status === 400) throw new RefusedBatch(`InfluxDB refused the batch: ${text.slice(0, 200).trim()}`);
    if (!r.ok) throw new Error(`InfluxDB answered ${r.status}: ${text.slice(0, 200).trim()}`);
  }
}
