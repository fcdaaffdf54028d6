import assert from "node:assert/strict";
import { HR_PROCESSOR_LOAD, HR_STORAGE_ENTRY, HR_STORAGE_RAM, pollHostResources } from "./host_resources.ts";
import { octets, TableSession } from "../../tests/helpers/table_session.ts";
import { SnmpError } from "../snmp/snmp_types.ts";

const VIRTUAL = "1.3.6.1.2.1.25.2.1.3";
const FIXED_DISK = "1.3.6.1.2.1.25.2.1.4";

Deno.test("pollHostResources() averages hrProcessorLoad and divides used by size of the RAM rows only", async () => {
  const s = new TableSession([
    [`${HR_PROCESSOR_LOAD}.196608`, 10],
    [`${HR_PROCESSOR_LOAD}.196609`, 30],
    [`${HR_PROCESSOR_LOAD}.196610`, 50],
    [`${HR_STORAGE_ENTRY}.2.1`, HR_STORAGE_RAM],
    [`${HR_STORAGE_ENTRY}.2.3`, VIRTUAL],
    [`${HR_STORAGE_ENTRY}.2.31`, FIXED_DISK],
    [`${HR_STORAGE_ENTRY}.3.1`, octets("Physical memory")],
    [`${HR_STORAGE_ENTRY}.4.1`, 1024],
    [`${HR_STORAGE_ENTRY}.4.3`, 1024],
    [`${HR_STORAGE_ENTRY}.4.31`, 4096],
    [`${HR_STORAGE_ENTRY}.5.1`, 8000],
    [`${HR_STORAGE_ENTRY}.5.3`, 16000],
    [`${HR_STORAGE_ENTRY}.5.31`, 100],
    [`${HR_STORAGE_ENTRY}.6.1`, 2000],
    [`${HR_STORAGE_ENTRY}.6.3`, 16000],
    [`${HR_STORAGE_ENTRY}.6.31`, 99],
  ]);
  assert.deepEqual(await pollHostResources(s), { cpuPct: 30, memoryPct: 25 });
});

Deno.test("pollHostResources() weights several RAM rows by their allocation units", async () => {
  const s = new TableSession([
    [`${HR_STORAGE_ENTRY}.2.1`, HR_STORAGE_RAM],
    [`${HR_STORAGE_ENTRY}.2.2`, HR_STORAGE_RAM],
    [`${HR_STORAGE_ENTRY}.4.1`, 1],
    [`${HR_STORAGE_ENTRY}.4.2`, 4],
    [`${HR_STORAGE_ENTRY}.5.1`, 1000],
    [`${HR_STORAGE_ENTRY}.5.2`, 1000],
    [`${HR_STORAGE_ENTRY}.6.1`, 1000],
    [`${HR_STORAGE_ENTRY}.6.2`, 0],
  ]);
  // (1000×1 + 0×4) / (1000×1 + 1000×4) = 20 %.
  assert.deepEqual(await pollHostResources(s), { cpuPct: null, memoryPct: 20 });
});

Deno.test("pollHostResources() gives CPU and memory to a tenth of a percent", async () => {
  const s = new TableSession([
    [`${HR_PROCESSOR_LOAD}.196608`, 33],
    [`${HR_PROCESSOR_LOAD}.196609`, 34],
    [`${HR_PROCESSOR_LOAD}.196610`, 34],
    [`${HR_STORAGE_ENTRY}.2.1`, HR_STORAGE_RAM],
    [`${HR_STORAGE_ENTRY}.4.1`, 1024],
    [`${HR_STORAGE_ENTRY}.5.1`, 3],
    [`${HR_STORAGE_ENTRY}.6.1`, 1],
  ]);
  // 101 / 3 = 33.666… %; 1 of 3 = 33.333… %
  assert.deepEqual(await pollHostResources(s), { cpuPct: 33.7, memoryPct: 33.3 });
});

Deno.test("pollHostResources() gives nulls for an agent without HOST-RESOURCES-MIB", async () => {
  assert.deepEqual(await pollHostResources(new TableSession([])), { cpuPct: null, memoryPct: null });
});

Deno.test("pollHostResources() ignores loads outside 0–100 and RAM rows with no size", async () => {
  const s = new TableSession([
    [`${HR_PROCESSOR_LOAD}.1`, 250],
    [`${HR_STORAGE_ENTRY}.2.1`, HR_STORAGE_RAM],
    [`${HR_STORAGE_ENTRY}.4.1`, 1024],
    [`${HR_STORAGE_ENTRY}.5.1`, 0],
    [`${HR_STORAGE_ENTRY}.6.1`, 0],
  ]);
  assert.deepEqual(await pollHostResources(s), { cpuPct: null, memoryPct: null });
});

Deno.test("pollHostResources() rejects when a walk fails", async () => {
  const s = new TableSession([]).fail(
    HR_PROCESSOR_LOAD,
    new SnmpError("timeout", "timeout after 5 ms × 1 try"),
  );
  await assert.rejects(pollHostResources(s), { failure: "timeout" });
});
