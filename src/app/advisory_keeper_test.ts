import assert from "node:assert/strict";
import { join } from "node:path";
import { ADVISORY_FILE, createAnalysis } from "../analysis/mod.ts";
import { analysisSettings } from "../config/analysis_settings.ts";
import { FlowTable } from "../flow/mod.ts";
import { AdvisoryKeeper } from "./advisory_keeper.ts";

const engine = () => createAnalysis(new FlowTable(16), analysisSettings({}).analysis, [], () => {});

Deno.test("AdvisoryKeeper: an unusable advisories.json is moved aside and the run starts with nothing open", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-advisory-keeper-" });
  try {
    await Deno.writeTextFile(join(dir, ADVISORY_FILE), '{"version": 1, "open": [{"key": "x"}]}');
    const e = engine();
    await new AdvisoryKeeper(dir, e).load();
    assert.equal(e.book.openCount, 0);
    const names = [...Deno.readDirSync(dir)].map((f) => f.name);
    assert.ok(names.some((n) => n.startsWith(`${ADVISORY_FILE}.corrupt-`)), names.join(", "));
    assert.ok(!names.includes(ADVISORY_FILE));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("AdvisoryKeeper: a save writes the open advisories only when they changed, stop always; a new run reads them back", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-advisory-keeper-" });
  try {
    const path = join(dir, ADVISORY_FILE);
    const first = engine();
    first.book.restore([{
      key: "insecure_protocol|snmp_v2c_public|10.0.0.2",
      missed: 0,
      resolveAfter: 60,
      event: {
        kind: "advisory",
        phase: "raised",
        advisory_id: "insecure_protocol-1-1",
        ts: "2026-12-06T22:00:00.000Z",
        type: "insecure_protocol",
        severity: "warning",
        subject: "10.0.0.2",
        subject_kind: "host",
        ip: "10.0.0.2",
        summary: "SNMPv2c with the default community public is in use on 10.0.0.2 port 161.",
        action: "Set a private community.",
        evidence: { port: 161 },
        raised_at: "2026-12-06T22:00:00.000Z",
        resolved_at: null,
        resolution: null,
      },
    }]);
    const keeper = new AdvisoryKeeper(dir, first);
    await keeper.stop();
    const written = (await Deno.stat(path)).mtime!.getTime();
    await new Promise((r) => setTimeout(r, 20));
    await keeper.save(); // nothing opened or closed since
    assert.equal((await Deno.stat(path)).mtime!.getTime(), written);
    await keeper.stop(); // the latest miss counts, whatever changed
    assert.ok((await Deno.stat(path)).mtime!.getTime() > written);

    const second = engine();
    await new AdvisoryKeeper(dir, second).load();
    assert.deepEqual(second.book.list().map((a) => [a.advisory_id, a.phase]), [[
      "insecure_protocol-1-1",
      "raised",
    ]]);
    assert.equal(second.stats().restored, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
