/**
 * CPU and memory from HOST-RESOURCES-MIB (RFC 2790), when the agent has it: the average of
 * hrProcessorLoad over every processor, and used / size over the hrStorageRam rows of hrStorageTable.
 */
import {
  type SnmpSession,
  type SnmpValue,
  type TablePresence,
  type TableRows,
  walkTables,
} from "../snmp/mod.ts";

/** hrProcessorEntry (HOST-RESOURCES-MIB::hrProcessorTable.1). */
export const HR_PROCESSOR_ENTRY = "1.3.6.1.2.1.25.3.3.1";
/** hrProcessorLoad (HOST-RESOURCES-MIB::hrProcessorEntry.2), percent over the last minute. */
export const HR_PROCESSOR_LOAD = `${HR_PROCESSOR_ENTRY}.2`;
/** hrStorageEntry (HOST-RESOURCES-MIB::hrStorageTable.1). */
export const HR_STORAGE_ENTRY = "1.3.6.1.2.1.25.2.3.1";
/** hrStorageRam (HOST-RESOURCES-TYPES::hrStorageTypes.2): physical memory. */
export const HR_STORAGE_RAM = "1.3.6.1.2.1.25.2.1.2";

/** hrStorageEntry columns. */
const ST = { type: 2, allocationUnits: 4, size: 5, used: 6 } as const;

/** Rows read at most: hosts have a few processors and storage areas, not thousands. */
const MAX_ROWS = 1024;

/** CPU and memory use in percent; null where the agent does not say. */
export interface HostResources {
  /** Average hrProcessorLoad, 0–100. */
  cpuPct: number | null;
  /** Used / size of the hrStorageRam rows, 0–100. */
  memoryPct: number | null;
}

/**
 * Reads CPU and memory: hrProcessorLoad and the hrStorageTable columns together, row by row. An agent
 * without HOST-RESOURCES-MIB gives nulls; with `tables`, a table it lacked is asked for only on recheck
 * polls. A failed request rejects.
 */
export async function pollHostResources(s: SnmpSession, tables?: TablePresence): Promise<HostResources> {
  const [processors, storage] = await walkTables(
    s,
    [
      { name: "hrProcessorTable", entry: HR_PROCESSOR_ENTRY, columns: [2] },
      { name: "hrStorageTable", entry: HR_STORAGE_ENTRY, columns: Object.values(ST) },
    ],
    MAX_ROWS,
    tables,
  );
  return { cpuPct: averageLoad(loadsOf(processors)), memoryPct: ramUsedPct(storage) };
}

function loadsOf(rows: TableRows): SnmpValue[] {
  const out: SnmpValue[] = [];
  for (const row of rows.values()) {
    const v = row.get(2);
    if (v !== undefined) out.push(v);
  }
  return out;
}

/** The mean of the loads that are numbers in 0–100, to a tenth; null when there are none. */
export function averageLoad(values: readonly SnmpValue[]): number | null {
  const loads = values.filter((v): v is number => typeof v === "number" && v >= 0 && v <= 100);
  if (loads.length === 0) return null;
  return Math.round((loads.reduce((a, b) => a + b, 0) / loads.length) * 10) / 10;
}

/** Σ used × units / Σ size × units over the hrStorageRam rows with a positive size, in % to a tenth; null when there are none. */
export function ramUsedPct(rows: TableRows): number | null {
  let used = 0;
  let size = 0;
  for (const row of rows.values()) {
    if (row.get(ST.type) !== HR_STORAGE_RAM) continue;
    const units = row.get(ST.allocationUnits);
    const s = row.get(ST.size);
    const u = row.get(ST.used);
    if (typeof units !== "number" || typeof s !== "number" || typeof u !== "number") continue;
    if (units <= 0 || s <= 0 || u < 0) continue;
    size += s * units;
    used += Math.min(u, s) * units;
  }
  return size > 0 ? Math.round((used * 1000) / size) / 10 : null;
}
