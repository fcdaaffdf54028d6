/**
 * What a peer can make the collector hold is bounded: templates per exporter and overall, exporters,
 * domains, data waiting for templates; and what is pushed out is counted, never lost silently.
 */
import assert from "node:assert/strict";
import { ip4, ipfix, set, TestCollector, u16 } from "../../tests/helpers/netflow_datagrams.ts";

const T0 = 1_700_000_000;
/** A one-field template record: ID, field count 1, sourceIPv4Address. */
const oneField = (id: number) => [...u16(id), ...u16(1), ...u16(8), ...u16(4)];
/** A two-field flow template and one of its records. */
const flowTemplate = (id: number) => set(2, u16(id), u16(2), [...u16(8), ...u16(4)], [...u16(12), ...u16(4)]);
const flowRecord = (id: number) => set(id, ip4("10.231.123.1"), ip4("10.231.123.2"));

Deno.test("templates beyond an exporter's bound push out its oldest; the total bound holds across exporters", () => {
  const t = new TestCollector({ limits: { templatesPerExporter: 4, templates: 6 } });
  const define = (from: string, ...ids: number[]) =>
    t.feed(ipfix({ exportTime: T0, sequence: 0, domain: 0 }, set(2, ...ids.map(oneField))), from);
  const data = (id: number) =>
    t.feed(ipfix({ exportTime: T0, sequence: 0, domain: 0 }, set(id, ip4("10.231.123.1"))));
  define("192.0.2.1", 256, 257, 258, 259);
  define("192.0.2.1", 256); // sent again: now its newest
  define("192.0.2.1", 260); // past its bound of 4: its oldest goes, 257, not the refreshed 256
  data(256);
  data(257);
  assert.deepEqual([t.stats().other_records, t.stats().pending_sets, t.stats().templates_evicted], [1, 1, 1]);
  define("192.0.2.2", 300, 301, 302); // past the total of 6: the oldest of all goes, 258
  const s = t.stats();
  assert.deepEqual([s.templates, s.exporters["192.0.2.1"].templates, s.exporters["192.0.2.2"].templates], [
    6,
    3,
    3,
  ]);
  data(258);
  data(259);
  assert.deepEqual([t.stats().other_records, t.stats().pending_sets], [2, 2], "259 decodes, 258 waits");
});

Deno.test("a new exporter past the bound is refused and counted; the datagram still counts as received", () => {
  const t = new TestCollector({ limits: { exporters: 3 } });
  for (const host of [1, 2, 3, 4]) {
    t.feed(ipfix({ exportTime: T0, sequence: 0, domain: 0 }), `10.231.125.${host}`);
  }
  const s = t.stats();
  assert.deepEqual([s.exporter_count, s.refused, s.refused_by_reason.exporter_limit, s.datagrams], [
    3,
    1,
    1,
    4,
  ]);
  assert.equal(s.exporters["10.231.125.4"], undefined);
});

Deno.test("observation domains per exporter are bounded", () => {
  const t = new TestCollector({ limits: { domainsPerExporter: 2 } });
  for (const domain of [1, 2, 3]) t.feed(ipfix({ exportTime: T0, sequence: 0, domain }, flowTemplate(256)));
  const s = t.stats();
  assert.deepEqual([s.exporters["192.0.2.1"].domains, s.refused_by_reason.domain_limit, s.templates], [
    2,
    1,
    2,
  ]);
});

Deno.test("data waiting for templates is bounded in octets; what is pushed out counts as template misses", () => {
  const t = new TestCollector({ limits: { pendingBytesPerExporter: 1000, pendingBytes: 1500 } });
  const body = new Array(96).fill(7); // 96 octets of a data set for template 300
  for (let i = 0; i < 20; i++) t.feed(ipfix({ exportTime: T0, sequence: 0, domain: 0 }, set(300, body)));
  for (let i = 0; i < 20; i++) {
    t.feed(ipfix({ exportTime: T0, sequence: 0, domain: 0 }, set(301, body)), "192.0.2.2");
  }
  const s = t.stats();
  assert.ok(s.pending_bytes <= 1500, `${s.pending_bytes} octets waiting`);
  assert.equal(s.pending_sets * 96, s.pending_bytes);
  assert.equal(s.template_misses + s.pending_sets, 40, "every set is either waiting or counted");
  assert.ok(s.exporters["192.0.2.1"].template_misses >= 10, "the first exporter was held to its share");
});

Deno.test("an exporter silent for the idle time is forgotten with its templates; the totals keep its counts", () => {
  const t = new TestCollector({ limits: { exporterIdleMs: 60_000 } });
  const at = 1_700_000_000_000;
  t.feed(
    ipfix({ exportTime: T0, sequence: 0, domain: 0 }, flowTemplate(256), flowRecord(256)),
    "192.0.2.1",
    at,
  );
  t.c.tick(at + 61_000);
  const s = t.stats();
  assert.deepEqual([s.exporter_count, s.templates, s.records, s.datagrams], [0, 0, 1, 1]);
  t.feed(ipfix({ exportTime: T0, sequence: 1, domain: 0 }, flowRecord(256)), "192.0.2.1", at + 62_000);
  assert.deepEqual(
    [t.stats().pending_sets, t.stats().datagrams],
    [1, 2],
    "it starts over, without its template",
  );
});
