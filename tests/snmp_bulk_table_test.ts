/**
 * The row-by-row table walk (one GETBULK carrying every needed column) against real agents, with
 * Net-SNMP's `snmpwalk` of each column as the oracle: Debian's snmpd serving this host's own
 * hrStorageTable and ifTable (sparse indexes, real strings), and snmpsimd serving a sparse table this
 * test writes, whose columns end at different rows. Addresses 127.0.14.1–2, ports 14161–14162.
 * Skipped without snmpd / snmpsim unless CI=true.
 */
import assert from "node:assert/strict";
import { createSnmpSession } from "../src/snmp/session.ts";
import { type TableRows, walkColumns } from "../src/snmp/snmp_columns.ts";
import type { SnmpValue } from "../src/snmp/snmp_types.ts";
import { NET_SNMP_ENV, snmpdUnavailable, startSnmpd } from "./helpers/snmpd.ts";
import { snmpsimUnavailable, startSnmpsim } from "./helpers/snmpsim.ts";

const CI = Deno.env.get("CI") === "true";
const noSnmpd = await snmpdUnavailable();
const noSnmpsim = await snmpsimUnavailable();
const COMMUNITY = "flint-bulk-14";

/** `snmpwalk -On -Oe -Ox`-free text of one column: index → value as the test compares it. */
async function snmpwalkColumn(endpoint: string, column: string): Promise<Map<string, string>> {
  const out = await new Deno.Command("/usr/bin/snmpwalk", {
    args: ["-v2c", "-c", COMMUNITY, "-On", "-Oe", "-OQ", "-t", "2", endpoint, column],
    env: NET_SNMP_ENV,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (out.code !== 0) throw new Error(`snmpwalk failed: ${new TextDecoder().decode(out.stderr)}`);
  const cells = new Map<string, string>();
  for (const line of new TextDecoder().decode(out.stdout).split("\n")) {
    const m = /^\.(\S+) = (.*)$/.exec(line);
    if (!m || !m[1].startsWith(`${column}.`) || /^No Such|^No more/.test(m[2])) continue;
    cells.set(m[1].slice(column.length + 1), m[2].replace(/^"(.*)"$/s, "$1"));
  }
  return cells;
}

/** A value as snmpwalk -OQ prints it: numbers and OIDs as text, strings as text. */
function asText(v: SnmpValue): string {
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  if (typeof v === "string") return `.${v}`;
  return String(v);
}

/** Each column of `rows` as index → text, for comparison with {@link snmpwalkColumn}. */
function column(rows: TableRows, c: number): Map<string, string> {
  const out = new Map<string, string>();
  for (const [index, row] of rows) if (row.has(c)) out.set(index, asText(row.get(c)!));
  return out;
}

Deno.test({
  name: "walkColumns() of snmpd's hrStorageTable and ifTable equals snmpwalk of each column",
  ignore: noSnmpd !== null && !CI,
  async fn() {
    if (noSnmpd) throw new Error(noSnmpd);
    const agent = await startSnmpd({
      address: "127.0.14.1",
      port: 14161,
      config: `rocommunity ${COMMUNITY} 127.0.0.0/8\nsysname bulk-test`,
    });
    let ok = false;
    const s = createSnmpSession({
      ip: "127.0.14.1",
      port: 14161,
      credentials: { version: "v2c", community: COMMUNITY },
      timeoutMs: 2000,
      retries: 1,
    });
    try {
      // Columns whose values do not move between two reads: types, descriptions, units, sizes.
      for (
        const [entry, columns] of [["1.3.6.1.2.1.25.2.3.1", [2, 3, 4]], ["1.3.6.1.2.1.2.2.1", [
          2,
          3,
          6,
        ]]] as const
      ) {
        const rows = await walkColumns(s, entry, columns, 10_000);
        assert.ok(rows.size > 0, `${entry} has rows`);
        for (const c of columns) {
          const oracle = await snmpwalkColumn(agent.endpoint, `${entry}.${c}`);
          const got = column(rows, c);
          if (c === 6) {
            // ifPhysAddress: snmpwalk prints the bytes as hex pairs.
            for (const [k, v] of oracle) oracle.set(k, v.trim().toLowerCase());
            for (const [index, row] of rows) {
              const mac = row.get(6);
              if (mac instanceof Uint8Array) {
                got.set(index, [...mac].map((b) => b.toString(16).padStart(2, "0")).join(" "));
              }
            }
          }
          assert.deepEqual(got, oracle, `${entry}.${c}`);
        }
      }
      ok = true;
    } finally {
      s.close();
      if (!ok) console.error(agent.output());
      await agent.stop();
    }
  },
});

Deno.test({
  name: "walkColumns() of a sparse table served by snmpsimd equals the data written and snmpwalk's view",
  ignore: noSnmpsim !== null && !CI,
  async fn() {
    if (noSnmpsim) throw new Error(noSnmpsim);
    const entry = "1.3.6.1.4.1.32473.14.1.1";
    // Column 2 has rows 1–30, column 3 only rows 2 and 17, column 4 rows 1–5, column 5 rows 20–40.
    const written = new Map<number, Map<string, string>>([
      [2, new Map(Array.from({ length: 30 }, (_, i) => [String(i + 1), `name-${i + 1}`]))],
      [3, new Map([["2", "302"], ["17", "317"]])],
      [4, new Map(Array.from({ length: 5 }, (_, i) => [String(i + 1), String(400 + i)]))],
      [5, new Map(Array.from({ length: 21 }, (_, i) => [String(i + 20), String(500 + i)]))],
    ]);
    const lines = [
      "1.3.6.1.2.1.1.3.0|67|4200",
      ...[...written].flatMap(([c, cells]) =>
        [...cells].map(([i, v]) => `${entry}.${c}.${i}|${c === 2 ? 4 : 2}|${v}`)
      ),
      "1.3.6.1.6.3.10.2.1.3.0|2|1234",
    ];
    const dir = await Deno.makeTempDir({ prefix: "flintnet-bulk-" });
    await Deno.writeTextFile(`${dir}/${COMMUNITY}.snmprec`, lines.join("\n") + "\n");
    const endpoint = "127.0.14.2:14162";
    const sim = await startSnmpsim({ endpoints: [endpoint], dataDir: dir });
    let ok = false;
    const s = createSnmpSession({
      ip: "127.0.14.2",
      port: 14162,
      credentials: { version: "v2c", community: COMMUNITY },
      timeoutMs: 2000,
      retries: 1,
    });
    try {
      const rows = await walkColumns(s, entry, [2, 3, 4, 5], 10_000);
      for (const c of [2, 3, 4, 5]) {
        assert.deepEqual(column(rows, c), written.get(c), `column ${c} as written`);
        assert.deepEqual(
          column(rows, c),
          await snmpwalkColumn(endpoint, `${entry}.${c}`),
          `column ${c} as snmpwalk`,
        );
      }
      assert.equal(rows.size, 40);
      const capped = await walkColumns(s, entry, [2, 3, 4, 5], 7);
      assert.deepEqual([...capped.keys()].map(Number).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7]);
      ok = true;
    } finally {
      s.close();
      if (!ok) console.error(sim.output().slice(-4000));
      await sim.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
