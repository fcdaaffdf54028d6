import assert from "node:assert/strict";
import { escapeTag, line } from "./influx.ts";

Deno.test("line() writes measurement, sorted tags, integer and float fields and a ms timestamp", () => {
  const floats = new Set(["in_util_pct"]);
  assert.equal(
    line(
      "flintnet_interface",
      { site: "hq", device: "10.0.0.1", interface: "Gi0/1" },
      {
        in_bps: 1200,
        in_util_pct: 12.5,
      },
      1_700_000_000_123,
      floats,
    ),
    "flintnet_interface,device=10.0.0.1,interface=Gi0/1,site=hq in_bps=1200i,in_util_pct=12.5 1700000000123",
  );
  // A float field stays a float when its value is whole, an integer field an integer when it is not: InfluxDB
  // refuses a field whose type changes ("field type conflict"), and the batch with it.
  assert.equal(
    line("m", {}, { in_bps: 1036.8, in_util_pct: 0 }, 5, floats),
    "m in_bps=1037i,in_util_pct=0 5",
  );
});

Deno.test("escapeTag() escapes commas, equals signs, spaces and backslashes as the line protocol reference says", () => {
  // The reference's own example: tag value `Gi 0/1,x=y` is written `Gi\ 0/1\,x\=y`.
  assert.equal(escapeTag("Gi 0/1,x=y"), "Gi\\ 0/1\\,x\\=y");
  assert.equal(escapeTag("a\\b"), "a\\\\b");
});

Deno.test("line() leaves out empty tags and non-finite fields, and gives nothing without a field", () => {
  assert.equal(line("m", { site: "s", host: "" }, { a: 1, b: NaN }, 5), "m,site=s a=1i 5");
  assert.equal(line("m", { site: "s" }, { b: Infinity }, 5), undefined);
});
