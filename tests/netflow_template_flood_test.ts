/**
 * The template flood: 100 exporters each defining every template ID, 0 to 65535 (6.5 M
 * definitions, about 20 s here). What the collector holds stays within its bounds, IDs below 256 are
 * refused, and an exporter that keeps refreshing its own template keeps decoding through the flood.
 */
import assert from "node:assert/strict";
import { ip4, ipfix, set, TestCollector, u16 } from "./helpers/netflow_datagrams.ts";
import { DEFAULT_COLLECTOR_LIMITS } from "../src/netflow/collector.ts";

const T0 = 1_700_000_000;
/** A one-field template record: ID, field count 1, sourceIPv4Address. */
const oneField = (id: number) => [...u16(id), ...u16(1), ...u16(8), ...u16(4)];
/** A two-field flow template and one of its records. */
const flowTemplate = (id: number) => set(2, u16(id), u16(2), [...u16(8), ...u16(4)], [...u16(12), ...u16(4)]);
const flowRecord = (id: number) => set(id, ip4("10.231.123.1"), ip4("10.231.123.2"));

Deno.test("collector: 65,536 template IDs from each of 100 exporters stay within the bounds; an exporter that refreshes its template keeps decoding", () => {
  const t = new TestCollector();
  const { templates: total, templatesPerExporter: perExporter } = DEFAULT_COLLECTOR_LIMITS;
  let defined = 0;
  for (let e = 0; e < 100; e++) {
    const from = `10.231.124.${e + 1}`;
    // IDs 0–255 are reserved for sets (RFC 7011 §3.4.1): refused.
    t.feed(ipfix({ exportTime: T0, sequence: 0, domain: 0 }, set(2, oneField(e % 256))), from);
    // IDs 256–65535, 8,000 template records (64,000 octets) per message.
    for (let first = 256; first < 65536; first += 8000) {
      const records: number[][] = [];
      for (let id = first; id < Math.min(first + 8000, 65536); id++) records.push(oneField(id));
      defined += records.length;
      t.feed(ipfix({ exportTime: T0, sequence: 0, domain: 0 }, set(2, ...records)), from);
      t.feed(
        ipfix({ exportTime: T0, sequence: 0, domain: 0 }, flowTemplate(256), flowRecord(256)),
        "10.231.124.200",
      );
      const s = t.stats();
      assert.ok(s.templates <= total, `${s.templates} templates held`);
      assert.ok(s.exporters[from].templates <= perExporter);
    }
  }
  const s = t.stats();
  assert.equal(defined, 100 * (65536 - 256));
  assert.equal(s.templates, total, "the store is full, not over");
  assert.equal(s.templates_evicted, defined + 1 - total);
  assert.equal(s.malformed_by_reason.bad_template, 100);
  assert.equal(s.exporters["10.231.124.200"].records, 100 * 9, "every refreshed-template record decoded");
});
