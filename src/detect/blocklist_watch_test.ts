import assert from "node:assert/strict";
import { join } from "node:path";
import type { FlintnetEvent, SecurityEvent } from "../events/mod.ts";
import { FlowPipeline, FlowTable, flowToJson } from "../flow/mod.ts";
import { batchOf, findFlow, type IpRow } from "../../tests/helpers/batch_rows.ts";
import { BLOCKLIST_EVENTS_PER_MINUTE, BlocklistWatch } from "./blocklist_watch.ts";
import { ThreatLists } from "./threat_lists.ts";

const T0 = Date.UTC(2026, 11, 4, 12);

function tcp(src: string, dst: string, sp: number, dp: number, tsMs: number, flags = 0x02): IpRow {
  return { src, dst, srcPort: sp, dstPort: dp, proto: 6, ipBytes: 60, tsMs, tcpFlags: flags };
}

async function setup(lists: Record<string, string>) {
  const dir = await Deno.makeTempDir({ prefix: "fth-bl-" });
  const paths: string[] = [];
  for (const [name, text] of Object.entries(lists)) {
    const p = join(dir, name);
    await Deno.writeTextFile(p, text);
    paths.push(p);
  }
  const threat = new ThreatLists(paths);
  await threat.refresh();
  const table = new FlowTable(1000);
  const events: FlintnetEvent[] = [];
  const watch = new BlocklistWatch(table, threat, (e) => events.push(e));
  const pipeline = new FlowPipeline(table, [watch], {
    intervalMs: 10_000,
    idleTimeoutMs: 600_000,
    activeTimeoutMs: 3_600_000,
  });
  const security = () => events.filter((e): e is SecurityEvent => e.kind === "security");
  return { dir, paths, threat, table, watch, pipeline, security };
}

Deno.test("BlocklistWatch flags both directions of a connection and raises one event naming list and entry", async () => {
  const s = await setup({ "drop.txt": "203.0.113.0/24 ; SBL1\n", "firehol.netset": "198.51.100.9\n" });
  try {
    s.pipeline.consume(batchOf([
      tcp("10.0.0.5", "203.0.113.77", 40000, 443, T0),
      tcp("203.0.113.77", "10.0.0.5", 443, 40000, T0 + 1, 0x12),
      tcp("10.0.0.5", "203.0.113.77", 40000, 443, T0 + 2, 0x10),
      tcp("10.0.0.5", "192.0.2.1", 40001, 443, T0 + 3),
    ]));
    const ev = s.security();
    assert.equal(ev.length, 1);
    assert.equal(ev[0].type, "blocklisted");
    assert.equal(ev[0].ip, "10.0.0.5");
    assert.deepEqual(
      [ev[0].evidence.list, ev[0].evidence.entry, ev[0].evidence.listed_ip, ev[0].evidence.direction],
      ["drop", "203.0.113.0/24", "203.0.113.77", "outbound"],
    );
    const out = findFlow(s.table, {
      src: "10.0.0.5",
      dst: "203.0.113.77",
      srcPort: 40000,
      dstPort: 443,
      proto: 6,
    });
    const back = findFlow(s.table, {
      src: "203.0.113.77",
      dst: "10.0.0.5",
      srcPort: 443,
      dstPort: 40000,
      proto: 6,
    });
    const clean = findFlow(s.table, {
      src: "10.0.0.5",
      dst: "192.0.2.1",
      srcPort: 40001,
      dstPort: 443,
      proto: 6,
    });
    assert.deepEqual(flowToJson(s.table, out, 1).blocklist, {
      list: "drop",
      entry: "203.0.113.0/24",
      listed_ip: "203.0.113.77",
    });
    assert.equal(flowToJson(s.table, back, 1).blocklist?.listed_ip, "203.0.113.77");
    assert.equal(flowToJson(s.table, clean, 1).blocklist, null);
  } finally {
    await Deno.remove(s.dir, { recursive: true });
  }
});

Deno.test("BlocklistWatch holds back events over its minute budget and says how many in the next one", async () => {
  const s = await setup({ "bad.txt": "203.0.113.0/24\n" });
  try {
    const rows: IpRow[] = [];
    for (let i = 0; i < BLOCKLIST_EVENTS_PER_MINUTE + 15; i++) {
      rows.push(tcp("10.0.0.5", "203.0.113.1", 1000 + i, 80, T0 + i));
    }
    s.pipeline.consume(batchOf(rows));
    assert.equal(s.security().length, BLOCKLIST_EVENTS_PER_MINUTE);
    assert.equal(s.watch.counters.rate_limited, 15);
    assert.equal(s.watch.counters.flagged, BLOCKLIST_EVENTS_PER_MINUTE + 15);
    s.pipeline.consume(batchOf([tcp("10.0.0.5", "203.0.113.1", 9999, 80, T0 + 61_000)]));
    const last = s.security().at(-1)!;
    assert.equal(last.evidence.unreported_before, 15);
    assert.match(last.explanation, /15 more blocklisted alerts were left unreported/);
  } finally {
    await Deno.remove(s.dir, { recursive: true });
  }
});

Deno.test("ThreatLists.refresh() reads a changed list again and the next interval flags flows already open", async () => {
  const s = await setup({ "live.txt": "# empty for now\n" });
  try {
    s.pipeline.consume(batchOf([tcp("10.0.0.5", "198.51.100.20", 40000, 22, T0)]));
    assert.equal(s.security().length, 0);
    const v = s.threat.version;
    await Deno.writeTextFile(s.paths[0], "198.51.100.0/24\n");
    await Deno.utime(s.paths[0], new Date(), new Date(Date.now() + 5000)); // a new mtime on any file system
    await s.threat.refresh();
    assert.equal(s.threat.version, v + 1);
    assert.equal(s.threat.status()[0].entries, 1);
    s.pipeline.consume(batchOf([tcp("10.0.0.5", "198.51.100.20", 40000, 22, T0 + 10_500, 0x10)]));
    assert.equal(s.security().length, 1);
    assert.equal(s.security()[0].evidence.entry, "198.51.100.0/24");
    // a list that turns unreadable keeps its entries
    await Deno.writeTextFile(s.paths[0], "garbage\n");
    await Deno.utime(s.paths[0], new Date(), new Date(Date.now() + 10_000));
    await s.threat.refresh();
    assert.equal(s.threat.status()[0].entries, 1);
    assert.match(s.threat.status()[0].error ?? "", /no address or network/);
  } finally {
    await Deno.remove(s.dir, { recursive: true });
  }
});
