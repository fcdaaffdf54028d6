import assert from "node:assert/strict";
import { clickhouseDdl } from "./clickhouse.ts";

Deno.test("deploy/clickhouse.sql is the DDL Flintnet runs on first use", async () => {
  const file = await Deno.readTextFile(new URL("../../deploy/clickhouse.sql", import.meta.url));
  const statements = file.replace(/^--.*$/gm, "").split(";").map((s) => s.trim()).filter(Boolean);
  assert.deepEqual(statements, clickhouseDdl("flintnet"));
});
