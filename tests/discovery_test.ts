/**
 * A discovery sweep against real agents: three Debian snmpd on 127.0.30.1–3, each with a sysName the
 * test wrote into its snmpd.conf, swept as 127.0.30.0/28 with the real SNMP session as the probe.
 * The oracle is the configuration the test wrote: those three are found, every other address is unanswered.
 * Skipped without snmpd unless CI=true.
 */
import assert from "node:assert/strict";
import type { SweepProgress } from "../src/events/mod.ts";
import { CredentialTable } from "../src/snmp/credentials.ts";
import { DiscoverySweeper, type FoundHost, type SweepPhase } from "../src/discovery/sweeper.ts";
import { createSnmpSession } from "../src/snmp/session.ts";
import type { SystemInfo } from "../src/snmp/snmp_types.ts";
import { getSystemInfo } from "../src/snmp/system_info.ts";
import { type Snmpd, snmpdUnavailable, startSnmpd } from "./helpers/snmpd.ts";

const CI = Deno.env.get("CI") === "true";
const missing = await snmpdUnavailable();
const PORT = 1161;
/** The agents: address → the sysName and sysDescr written into its config. */
const AGENTS = new Map([
  ["127.0.30.1", { name: "disc-core-rtr", descr: "Flintnet test router one" }],
  ["127.0.30.2", { name: "disc-access-sw", descr: "Flintnet test switch two" }],
  ["127.0.30.3", { name: "disc-file-srv", descr: "Flintnet test server three" }],
]);
/** Only the per-network rule carries the agents' community: the default would be refused. */
const COMMUNITY = "flint-disc-30";
const credentials = new CredentialTable({
  defaultCredentials: { version: "v2c", community: "not-this-one" },
  rules: [{ cidr: "127.0.30.0/28", credentials: { version: "v2c", community: COMMUNITY } }],
});

async function probe(ip: string): Promise<SystemInfo | undefined> {
  const session = createSnmpSession({
    ip,
    port: PORT,
    credentials: credentials.for(ip),
    timeoutMs: 400,
    retries: 0,
  });
  try {
    return await getSystemInfo(session);
  } catch {
    return undefined; // timeout, refused: not an agent
  } finally {
    session.close();
  }
}

Deno.test({
  name: "DiscoverySweeper sweeping 127.0.30.0/28 finds exactly the three snmpd agents, with their names",
  ignore: missing !== null && !CI,
  async fn() {
    if (missing) throw new Error(`discovery test cannot run: ${missing}`);
    const agents: Snmpd[] = [];
    let passed = false;
    try {
      for (const [ip, a] of AGENTS) {
        agents.push(
          await startSnmpd({
            address: ip,
            port: PORT,
            config: `rocommunity ${COMMUNITY} 127.0.0.0/8\nsysname ${a.name}\nsysdescr ${a.descr}\n`,
          }),
        );
      }
      const found: FoundHost[] = [];
      const reports: { p: SweepProgress; phase: SweepPhase }[] = [];
      const unanswered: string[] = [];
      const sweeper = new DiscoverySweeper({
        concurrency: 16,
        snmpProbe: probe,
        onProgress: (p, phase) => reports.push({ p, phase }),
        onFound: (f) => found.push(f),
        onUnanswered: (ip) => unanswered.push(ip),
      });
      const final = await sweeper.sweep({
        cidrs: ["127.0.30.0/28"],
        interfaces: [],
        extraHosts: [],
        trigger: "api",
      });

      assert.deepEqual(
        found.map((f) => [f.ip, f.via, f.system?.sysName, f.system?.sysDescr]).sort(),
        [...AGENTS].map(([ip, a]) => [ip, "snmp", a.name, a.descr]).sort(),
      );
      assert.deepEqual(
        { total: final.total, scanned: final.scanned, found: final.found, snmp: final.snmp },
        { total: 14, scanned: 14, found: 3, snmp: 3 },
      );
      // Every other host address of the /28 was asked and is told as unanswered, each once.
      const hosts = Array.from({ length: 14 }, (_, i) => `127.0.30.${i + 1}`);
      assert.deepEqual(unanswered.sort(), hosts.filter((ip) => !AGENTS.has(ip)).sort());
      assert.deepEqual(reports[0].phase, "started");
      assert.equal(reports[0].p.total, 14);
      assert.deepEqual(reports.at(-1), { p: final, phase: "finished" });
      passed = true;
    } finally {
      if (!passed) { for (const a of agents) console.error(`snmpd ${a.endpoint} output:\n${a.output()}`); }
      for (const a of agents) await a.stop();
    }
  },
});
