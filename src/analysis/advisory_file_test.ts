import assert from "node:assert/strict";
import type { AdvisoryEvent, AdvisoryType } from "../events/mod.ts";
import { AdvisoryBook } from "./advisory_book.ts";
import { AdvisoryFileError, advisoryFileText, parseAdvisoryFile } from "./advisory_file.ts";
import type { Finding } from "./analyzer.ts";

const T0 = Date.UTC(2026, 11, 6, 22, 0, 0);
const MIN = 60_000;
const TYPES = ["insecure_protocol", "port_scan"] as const;
const ALL = new Set<AdvisoryType>(TYPES);

/** An SNMP-public finding on `server`, as the insecure-protocol analyzer makes it. */
const finding = (server: string): Finding => ({
  type: "insecure_protocol",
  key: `snmp_v2c_public|${server}`,
  severity: "warning",
  subject: server,
  subject_kind: "host",
  ip: server,
  summary: `SNMPv2c with the default community "public" is in use on ${server} port 161.`,
  action: "Set a private community.",
  evidence: { port: 161 },
});

/** A book whose published events are collected. */
function book() {
  const events: AdvisoryEvent[] = [];
  return { events, book: new AdvisoryBook((e) => events.push(e)) };
}

Deno.test("advisories.json: a restart reopens what was open, raises nothing again, and resolves it when it is gone", () => {
  const before = book();
  // resolved after 2 runs without it
  before.book.run(TYPES, [finding("10.0.0.2"), finding("10.0.0.3")], 2, T0);
  before.book.run(TYPES, [finding("10.0.0.2")], 2, T0 + MIN); // 10.0.0.3 missed once
  const text = advisoryFileText(before.book.openEntries());

  const after = book();
  const { open, skipped } = parseAdvisoryFile(text, ALL);
  after.book.restore(open);
  assert.deepEqual([skipped, after.book.restored, after.book.openCount], [0, 2, 2]);
  assert.deepEqual(
    after.book.list().map((e) => [e.advisory_id, e.phase]).sort(),
    before.events.map((e) => [e.advisory_id, e.phase]).sort(),
    "the same advisories, open, in the API's list",
  );
  // Still found: stays open without a second raised event; gone for its runs: resolved, under its old id.
  after.book.run(TYPES, [finding("10.0.0.2")], 2, T0 + 2 * MIN);
  assert.deepEqual(after.events.map((e) => [e.phase, e.subject]), [["resolved", "10.0.0.3"]]);
  assert.equal(after.events[0].advisory_id, before.events.find((e) => e.subject === "10.0.0.3")!.advisory_id);
  assert.equal(
    after.events[0].resolution,
    "Not seen in the last 2 minutes.",
    "the miss before the restart counts",
  );
  assert.equal(after.book.raised, 0);
});

Deno.test("advisories.json: a condition raised before the file is read keeps its own advisory", () => {
  const before = book();
  before.book.run(TYPES, [finding("10.0.0.2")], 60, T0);
  const now = book();
  now.book.run(TYPES, [finding("10.0.0.2")], 60, T0 + MIN);
  now.book.restore(parseAdvisoryFile(advisoryFileText(before.book.openEntries()), ALL).open);
  assert.deepEqual([now.book.openCount, now.book.restored], [1, 0]);
  assert.equal(now.book.list()[0].advisory_id, now.events[0].advisory_id);
});

Deno.test("advisories.json: a type no analyzer raises any more is skipped; a malformed file is refused as a whole", () => {
  const b = book();
  b.book.run(TYPES, [finding("10.0.0.2")], 60, T0);
  const text = advisoryFileText(b.book.openEntries());
  assert.deepEqual(parseAdvisoryFile(text, new Set<AdvisoryType>(["port_scan"])), { open: [], skipped: 1 });

  const entry = JSON.parse(text).open[0];
  const broken: [string, unknown][] = [
    ["not json", "{"],
    ["another version", { version: 2, open: [] }],
    ["no list", { version: 1 }],
    ["a resolved advisory", {
      version: 1,
      open: [{ ...entry, event: { ...entry.event, phase: "resolved" } }],
    }],
    ["an unknown type", { version: 1, open: [{ ...entry, event: { ...entry.event, type: "weather" } }] }],
    ["no key", { version: 1, open: [{ ...entry, key: "" }] }],
    ["a negative count", { version: 1, open: [{ ...entry, missed: -1 }] }],
    ["evidence as a list", { version: 1, open: [{ ...entry, event: { ...entry.event, evidence: [] } }] }],
  ];
  for (const [what, doc] of broken) {
    assert.throws(
      () => parseAdvisoryFile(typeof doc === "string" ? doc : JSON.stringify(doc), ALL),
      AdvisoryFileError,
      what,
    );
  }
});
