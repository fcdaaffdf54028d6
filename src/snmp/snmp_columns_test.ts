import assert from "node:assert/strict";
import { octets, TableSession } from "../../tests/helpers/table_session.ts";
import { BULK_VARBINDS, bulkRepetitions, type TableRows, walkColumns, walkTables } from "./snmp_columns.ts";
import { SnmpError, type SnmpSession, type SnmpValue, type SnmpVarbind } from "./snmp_types.ts";
import { TablePresence } from "./table_presence.ts";

const ENTRY = "1.3.6.1.4.1.32473.7.1.1";
const OTHER_ENTRY = "1.3.6.1.4.1.32473.8.1.1";

/** Cells as [column, index, value]: the data the test writes into the agent and expects back. */
type Cells = [number, string, SnmpValue][];

function varbinds(entry: string, cells: Cells): [string, SnmpValue][] {
  return cells.map(([c, i, v]) => [`${entry}.${c}.${i}`, v]);
}

/** The rows the cells make, built independently of the code under test. */
function expected(cells: Cells, columns: number[]): Record<string, Record<number, SnmpValue>> {
  const out: Record<string, Record<number, SnmpValue>> = {};
  for (const [c, i, v] of cells) if (columns.includes(c)) (out[i] ??= {})[c] = v;
  return out;
}

function plain(rows: TableRows): Record<string, Record<number, SnmpValue>> {
  const out: Record<string, Record<number, SnmpValue>> = {};
  for (const [k, row] of rows) out[k] = Object.fromEntries(row);
  return out;
}

/** A dense table of `n` rows × columns 1–`cols`, with an unrelated object after it (as real agents have). */
function dense(n: number, cols: number): Cells {
  const cells: Cells = [];
  for (let c = 1; c <= cols; c++) for (let i = 1; i <= n; i++) cells.push([c, String(i), c * 1000 + i]);
  return cells;
}
const AFTER: [string, SnmpValue] = ["1.3.6.1.6.3.10.2.1.1.0", octets("engine")];

Deno.test("walkColumns() reads the needed columns together, one varbind per column in each GETBULK", async () => {
  const cells = dense(24, 7);
  const s = new TableSession([...varbinds(ENTRY, cells), AFTER]);
  const columns = [1, 3, 6, 7];
  const rows = await walkColumns(s, ENTRY, columns, 1000);
  assert.deepEqual(plain(rows), expected(cells, columns));
  assert.deepEqual(s.bulks[0].oids, columns.map((c) => `${ENTRY}.${c}`));
  for (const b of s.bulks) {
    assert.equal(b.oids.length, columns.length);
    assert.ok(b.oids.length * b.maxRepetitions <= BULK_VARBINDS, "each answer stays within the budget");
  }
  // 24 rows and the end of the table, 12 rows a request (4 columns × 12 ≤ 50): 3 requests, not one per column.
  assert.equal(s.bulks.length, Math.ceil((24 + 1) / Math.floor(BULK_VARBINDS / columns.length)));
  assert.deepEqual([...rows.keys()], Array.from({ length: 24 }, (_, i) => String(i + 1)));
});

Deno.test("walkColumns() handles sparse columns that end at different rows, dropping ended columns from requests", async () => {
  const cells: Cells = [
    ...Array.from({ length: 10 }, (_, k) => [2, String(k + 1), octets(`name${k + 1}`)] as Cells[number]),
    [3, "2", 6],
    [3, "5", 24],
    ...Array.from({ length: 30 }, (_, k) => [5, String(k + 1), k * 7] as Cells[number]),
    [6, "1", 9], // a column not asked for
  ];
  const s = new TableSession([...varbinds(ENTRY, cells), AFTER]);
  const rows = await walkColumns(s, ENTRY, [2, 3, 5], 1000);
  assert.deepEqual(plain(rows), expected(cells, [2, 3, 5]));
  assert.deepEqual(rows.get("2"), new Map<number, SnmpValue>([[2, octets("name2")], [3, 6], [5, 7]]));
  assert.equal(rows.get("30")?.size, 1);
  // Once column 3 (after row 5) and column 2 (after row 10) ran out, only column 5 is asked for.
  assert.deepEqual(s.bulks.at(-1)!.oids.length, 1);
  assert.ok(s.bulks.at(-1)!.oids[0].startsWith(`${ENTRY}.5.`));
});

Deno.test("walkColumns() stops at maxRows rows and asks for no more than it keeps", async () => {
  const cells = dense(50, 3);
  const s = new TableSession([...varbinds(ENTRY, cells), AFTER]);
  const rows = await walkColumns(s, ENTRY, [1, 2, 3], 8);
  assert.deepEqual([...rows.keys()], ["1", "2", "3", "4", "5", "6", "7", "8"]);
  assert.deepEqual(plain(rows), expected(cells.filter(([, i]) => Number(i) <= 8), [1, 2, 3]));
  assert.deepEqual(s.bulks.map((b) => b.maxRepetitions), [8]);
});

Deno.test("walkColumns() keeps the first maxRows rows by index of a sparse table whose columns have other rows", async () => {
  const cells: Cells = [
    [1, "1", 1],
    [1, "2", 2],
    [2, "7", 7],
    [2, "8", 8],
    [2, "9", 9],
  ];
  const rows = await walkColumns(new TableSession(varbinds(ENTRY, cells)), ENTRY, [1, 2], 3);
  assert.deepEqual(plain(rows), expected(cells.filter(([, i]) => ["1", "2", "7"].includes(i)), [1, 2]));
  // Column 2 starts at row 7 and runs past the cap in the same requests; rows 8 and 9 are cut.
  const late: Cells = [[1, "9", 9], [2, "1", 1], [2, "2", 2], [2, "3", 3], [2, "4", 4]];
  const cut = await walkColumns(new TableSession(varbinds(ENTRY, late)), ENTRY, [1, 2], 2);
  assert.deepEqual([...cut.keys()], ["1", "2"]);
});

Deno.test("walkColumns() gives the same table when the agent answers fewer varbinds than asked, even partial rows", async () => {
  const cells = dense(40, 5);
  const full = new TableSession([...varbinds(ENTRY, cells), AFTER]);
  const want = plain(await walkColumns(full, ENTRY, [1, 2, 4, 5], 1000));
  for (const cap of [1, 3, 7, 13]) {
    const short = new TableSession([...varbinds(ENTRY, cells), AFTER], { maxResponseVarbinds: cap });
    assert.deepEqual(plain(await walkColumns(short, ENTRY, [1, 2, 4, 5], 1000)), want, `cap ${cap}`);
    assert.deepEqual(want, expected(cells, [1, 2, 4, 5]));
  }
});

Deno.test("walkColumns() ends cleanly at endOfMibView (a table last in the agent's view)", async () => {
  const cells = dense(12, 3);
  const s = new TableSession(varbinds(ENTRY, cells));
  assert.deepEqual(plain(await walkColumns(s, ENTRY, [1, 2, 3], 1000)), expected(cells, [1, 2, 3]));
});

Deno.test("walkColumns() of a table the agent lacks is empty after one request", async () => {
  const s = new TableSession([AFTER]);
  assert.equal((await walkColumns(s, ENTRY, [1, 2, 3], 1000)).size, 0);
  assert.equal(s.bulks.length, 1);
});

/** A session whose GETBULK answers are rewritten by `mangle` (what a broken or hostile agent sends). */
function mangled(
  inner: SnmpSession,
  mangle: (answer: (SnmpVarbind | null)[], oids: readonly string[]) => (SnmpVarbind | null)[],
): SnmpSession {
  return {
    target: inner.target,
    get: (oids) => inner.get(oids),
    walk: (oid, max) => inner.walk(oid, max),
    getBulk: async (oids, reps) => mangle(await inner.getBulk(oids, reps), oids),
    close: () => inner.close(),
  };
}

Deno.test("walkColumns() rejects as malformed an agent whose OIDs do not increase, instead of looping", async () => {
  const inner = new TableSession([...varbinds(ENTRY, dense(30, 2)), AFTER]);
  // Every answer repeats its first row: column 1's second cell is the same OID as its first.
  const s = mangled(inner, (a, oids) => [...a.slice(0, oids.length), ...a]);
  await assert.rejects(
    walkColumns(s, ENTRY, [1, 2], 1000),
    (e) => e instanceof SnmpError && e.failure === "malformed" && /not increasing/.test(e.message),
  );
});

Deno.test("walkColumns() rejects as malformed a GETBULK answered with no varbinds", async () => {
  const s = mangled(new TableSession(varbinds(ENTRY, dense(3, 2))), () => []);
  await assert.rejects(walkColumns(s, ENTRY, [1, 2], 1000), { failure: "malformed" });
});

Deno.test("walkColumns() passes a failed request's SnmpError on", async () => {
  const s = new TableSession(varbinds(ENTRY, dense(3, 2))).fail(
    ENTRY,
    new SnmpError("timeout", "timeout after 5 ms × 1 try"),
  );
  await assert.rejects(walkColumns(s, ENTRY, [1, 2], 1000), { failure: "timeout" });
});

Deno.test("walkColumns() ends on garbage answers with a table or a malformed error, within its bounds", async () => {
  let seed = 7;
  const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  for (let round = 0; round < 300; round++) {
    let requests = 0;
    const s: SnmpSession = {
      target: new TableSession([]).target,
      get: () => Promise.resolve([]),
      walk: () => Promise.resolve([]),
      close() {},
      getBulk(oids, reps) {
        requests++;
        const out: (SnmpVarbind | null)[] = [];
        const len = rand(oids.length * reps + 2);
        for (let i = 0; i < len; i++) {
          const base = oids[i % oids.length];
          const r = rand(10);
          if (r === 0) out.push(null);
          else if (r === 1) out.push({ oid: "1.3.6.1.9.9", value: 1 });
          else if (r === 2) out.push({ oid: base, value: 2 });
          else out.push({ oid: `${base}.${rand(3)}`, value: rand(1000) });
        }
        return Promise.resolve(out);
      },
    };
    try {
      const rows = await walkColumns(s, ENTRY, [1, 2, 3], 20);
      assert.ok(rows.size <= 20);
    } catch (e) {
      assert.ok(e instanceof SnmpError && e.failure === "malformed", String(e));
    }
    // Every answer advances or ends at least one column: 3 columns × (20 cells + their end) at most.
    assert.ok(requests <= 3 * (20 + 1), `round ${round}: ${requests} requests`);
  }
});

Deno.test("walkTables() reads two tables in the same requests and remembers the one the agent lacks", async () => {
  const cells = dense(4, 2);
  const presence = new TablePresence(10);
  const session = () => new TableSession([...varbinds(ENTRY, cells), AFTER]);
  const tables = [
    { name: "present", entry: ENTRY, columns: [1, 2] },
    { name: "absent", entry: OTHER_ENTRY, columns: [1] },
  ];
  presence.beginPoll();
  const first = session();
  const [a, b] = await walkTables(first, tables, 100, presence);
  assert.deepEqual(plain(a), expected(cells, [1, 2]));
  assert.equal(b.size, 0);
  assert.equal(first.bulks[0].oids.length, 3, "both tables in one GETBULK");
  assert.deepEqual(presence.absent(), ["absent"]);
  for (let poll = 2; poll <= 11; poll++) {
    presence.beginPoll();
    const s = session();
    await walkTables(s, tables, 100, presence);
    const askedAbsent = s.walked.some((o) => o.startsWith(OTHER_ENTRY));
    assert.equal(askedAbsent, poll === 11, `poll ${poll}`);
  }
});

Deno.test("walkTables() looks for a table not known to be there with one row first, then reads whole rows", async () => {
  const cells = dense(24, 5);
  const presence = new TablePresence(10);
  const tables = [{ name: "t", entry: ENTRY, columns: [1, 2, 3, 4, 5] }];
  presence.beginPoll();
  const first = new TableSession([...varbinds(ENTRY, cells), AFTER]);
  const [rows] = await walkTables(first, tables, 100, presence);
  assert.deepEqual(plain(rows), expected(cells, [1, 2, 3, 4, 5]));
  assert.deepEqual(first.bulks.map((b) => b.maxRepetitions).slice(0, 2), [1, bulkRepetitions(5)]);
  presence.beginPoll();
  const second = new TableSession([...varbinds(ENTRY, cells), AFTER]);
  await walkTables(second, tables, 100, presence);
  assert.equal(second.bulks[0].maxRepetitions, bulkRepetitions(5), "known to be there: whole rows at once");
  // An absent table costs one varbind a column to find out.
  presence.beginPoll();
  const bare = new TableSession([AFTER]);
  await walkTables(bare, [{ name: "absent", entry: OTHER_ENTRY, columns: [1, 2, 3] }], 100, presence);
  assert.deepEqual(bare.bulks.map((b) => b.maxRepetitions), [1]);
});

Deno.test("walkTables() counts noSuchName as an empty, absent table and makes no request for skipped tables", async () => {
  const presence = new TablePresence(10);
  presence.beginPoll();
  const s = new TableSession([]).fail(ENTRY, new SnmpError("no_such_object", `no such object ${ENTRY}.1`));
  const [rows] = await walkTables(s, [{ name: "t", entry: ENTRY, columns: [1] }], 10, presence);
  assert.equal(rows.size, 0);
  assert.deepEqual(presence.absent(), ["t"]);
  presence.beginPoll();
  const next = new TableSession([]);
  await walkTables(next, [{ name: "t", entry: ENTRY, columns: [1] }], 10, presence);
  assert.equal(next.requests, 0);
});

Deno.test("bulkRepetitions() asks for whole rows within the varbind budget, at least one", () => {
  assert.equal(bulkRepetitions(1), BULK_VARBINDS);
  assert.equal(bulkRepetitions(10), Math.floor(BULK_VARBINDS / 10));
  assert.equal(bulkRepetitions(BULK_VARBINDS * 2), 1);
});
