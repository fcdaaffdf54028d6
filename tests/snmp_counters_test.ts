/**
 * Interface counters read from a real agent (snmpsimd serving .snmprec data this test writes): a
 * Counter32 that wraps between two polls, an agent that restarted (sysUpTime went back), and a
 * 10,000-row ifTable. The agent is restarted with new data between polls, the way a real device's
 * counters move on; the expected rates are worked out from the numbers written here.
 */
import assert from "node:assert/strict";
import { InterfacePoller } from "../src/polling/interface_poller.ts";
import { createSnmpSession } from "../src/snmp/session.ts";
import { getSystemInfo } from "../src/snmp/system_info.ts";
import { snmpsimUnavailable, startSnmpsim } from "./helpers/snmpsim.ts";

const CI = Deno.env.get("CI") === "true";
const missing = await snmpsimUnavailable();
const ENDPOINT = { ip: "127.0.22.1", port: 16221 };
const COMMUNITY = "counters";

/** An agent with `rows` interfaces (32-bit counters only, 100 Mbit/s) and the given uptime and octets. */
function snmprec(uptimeCs: number, inOctets: (index: number) => number, rows = 1): string {
  const lines = [
    "1.3.6.1.2.1.1.1.0|4|Linux counters 6.1.0",
    "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.8072.3.2.10",
    `1.3.6.1.2.1.1.3.0|67|${uptimeCs}`,
    "1.3.6.1.2.1.1.5.0|4|counters",
    "1.3.6.1.2.1.1.7.0|2|72",
  ];
  // .snmprec rows must be in OID order: column by column, each column's rows by index.
  const columns: [number, number, (i: number) => string][] = [
    [1, 2, (i) => String(i)],
    [2, 4, (i) => `port${i}`],
    [3, 2, () => "6"],
    [5, 66, () => "100000000"],
    [7, 2, () => "1"],
    [8, 2, () => "1"],
    [10, 65, (i) => String(inOctets(i))],
    [13, 65, () => "0"],
    [14, 65, () => "0"],
    [16, 65, () => "0"],
    [20, 65, () => "0"],
  ];
  // snmpsimd serves about 2,000 varbinds a second: the big table keeps only the columns the test reads.
  const kept = rows === 1 ? columns : columns.filter(([col]) => [2, 5, 8, 10].includes(col));
  for (const [col, tag, v] of kept) {
    for (let i = 1; i <= rows; i++) lines.push(`1.3.6.1.2.1.2.2.1.${col}.${i}|${tag}|${v(i)}`);
  }
  return lines.join("\n") + "\n";
}

/** Serves `data` on the endpoint, runs `fn`, stops the agent. */
async function withAgent<T>(data: string, fn: () => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-counters-" });
  await Deno.writeTextFile(`${dir}/${COMMUNITY}.snmprec`, data);
  const agent = await startSnmpsim({ endpoints: [`${ENDPOINT.ip}:${ENDPOINT.port}`], dataDir: dir });
  try {
    return await fn();
  } catch (err) {
    console.error(agent.output().slice(-4000));
    throw err;
  } finally {
    await agent.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

/** One poll of the agent as the daemon does it: the system group for sysUpTime, then the interfaces. */
async function poll(poller: InterfacePoller, nowMs: number) {
  const s = createSnmpSession({
    ...ENDPOINT,
    credentials: { version: "v2c", community: COMMUNITY },
    timeoutMs: 2000,
    retries: 1,
  });
  try {
    const sys = await getSystemInfo(s);
    return await poller.poll(s, sys.sysUpTimeCs, nowMs);
  } finally {
    s.close();
  }
}

Deno.test({
  name: "interface rates from a real agent: a Counter32 wrap is one wrap, an agent restart gives no rate",
  ignore: missing !== null && !CI,
  async fn() {
    if (missing) throw new Error(missing);
    const poller = new InterfacePoller();
    const t0 = Date.UTC(2026, 10, 22, 8, 0, 0);
    // 1: near the top of the 32-bit range.
    const first = await withAgent(snmprec(100_000, () => 4_294_967_000), () => poll(poller, t0));
    assert.equal(first[0].counters, "c32");
    assert.equal(first[0].in_bps, null, "one sample has no rate");
    // 2: 60 s later the counter wrapped: 296 octets to the top, then 704 → 1,000 octets in 60 s.
    const second = await withAgent(snmprec(106_000, () => 704), () => poll(poller, t0 + 60_000));
    // 133.3 bit/s, to a whole bit; 0.000133 % of the 100 Mb/s port, to a thousandth of a percent
    assert.equal(second[0].in_bps, Math.round((1000 * 8) / 60));
    assert.equal(second[0].in_util_pct, Math.round(((1000 * 8) / 60 / 100_000_000) * 100 * 1000) / 1000);
    // 3: the agent restarted (sysUpTime 5 s): the counter is small again, and that is no rate at all.
    const third = await withAgent(snmprec(500, () => 10), () => poll(poller, t0 + 120_000));
    assert.equal(third[0].in_bps, null);
    assert.equal(third[0].in_util_pct, null);
    // 4: the next interval after the restart has a rate again: 6,010 − 10 octets in 60 s.
    const fourth = await withAgent(snmprec(6_500, () => 6_010), () => poll(poller, t0 + 180_000));
    assert.equal(fourth[0].in_bps, (6_000 * 8) / 60);
  },
});

Deno.test({
  name: "a real agent's 10,000-row ifTable is read whole, every row as the agent has it",
  ignore: missing !== null && !CI,
  async fn() {
    if (missing) throw new Error(missing);
    const rows = 10_000;
    const interfaces = await withAgent(
      snmprec(100_000, (i) => i * 1000, rows),
      () => poll(new InterfacePoller(), Date.now()),
    );
    assert.equal(interfaces.length, rows);
    const byIndex = new Map(interfaces.map((i) => [i.index, i]));
    for (const i of [1, 2, 5000, 9999, 10_000]) {
      assert.equal(byIndex.get(i)?.name, `port${i}`);
      assert.equal(byIndex.get(i)?.speed_bps, 100_000_000);
      assert.equal(byIndex.get(i)?.oper_status, "up");
    }
  },
});
