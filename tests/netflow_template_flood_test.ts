/**
 * The template flood: 100 exporters each defining every template ID, 0 to 65535 (6.5 M
 * definitions, about 20 s here). What the collector holds stays within its bounds, IDs below 256 are
 * refused, and an exporter that keeps refreshing its own template keeps decoding through the flood.
 */
import assert from "node:assert/strict";
import { ip4, ipfix, set, TestCollector, u16 } from "./helpers/netflow_datagrams.ts";
import { DEFAULT_COLLECTOR_LIMITS, MAX_NEW_TEMPLATES_PER_MESSAGE } from "../src/netflow/collector.ts";

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
    // IDs 256–65535, as many new template records per message as one message may define.
    for (let first = 256; first < 65536; first += MAX_NEW_TEMPLATES_PER_MESSAGE) {
      const records: number[][] = [];
      const last = Math.min(first + MAX_NEW_TEMPLATES_PER_MESSAGE, 65536);
      for (let id = first; id < last; id++) records.push(oneField(id));
      defined += records.length;
      t.feed(ipfix({ exportTime: T0, sequence: 0, domain: 0 }, set(2, ...records)), from);
      t.feed(
        ipfix({ exportTime: T0, sequence: 0, domain: 0 }, flowTemplate(256), flowRecord(256)),
        "10.231.124.200",
      );
      if (first % 8192 !== 256) continue;
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
  assert.equal(s.exporters["10.231.124.200"].records, 100 * 255, "every refreshed-template record decoded");
  assert.equal(s.refused_by_reason.template_burst, 0);
});

Deno.test("collector: one message defines at most MAX_NEW_TEMPLATES_PER_MESSAGE new templates; the rest are counted", () => {
  const t = new TestCollector();
  const records: number[][] = [];
  for (let id = 256; id < 256 + 8000; id++) records.push(oneField(id));
  t.feed(ipfix({ exportTime: T0, sequence: 0, domain: 0 }, set(2, ...records)));
  const s = t.stats();
  assert.deepEqual([s.templates, s.refused_by_reason.template_burst, s.malformed], [
    MAX_NEW_TEMPLATES_PER_MESSAGE,
    8000 - MAX_NEW_TEMPLATES_PER_MESSAGE,
    0,
  ]);
  // Sent again, the known ones are refreshes (not counted against the budget), and the next 256 are defined.
  t.feed(ipfix({ exportTime: T0, sequence: 0, domain: 0 }, set(2, ...records)));
  assert.equal(t.stats().templates, 2 * MAX_NEW_TEMPLATES_PER_MESSAGE);
});
