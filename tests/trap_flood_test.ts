/**
 * Trap floods against the daemon, sent by Net-SNMP's own `snmptrap` from three addresses of a network
 * namespace (fnhd-trap, 10.231.220.0/24) to the daemon's trap port on the host end of a veth pair.
 * Floods are bounded in count (at most a few hundred traps); what the daemon kept is read back from its
 * API and its history file, and compared with what the test sent: how many from each source, the
 * uptimes the test numbered them with, the varbinds and the value sizes on its command lines.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { type Daemon, startDaemon } from "./helpers/daemon.ts";
import { createVethPair, netnsUnavailable, type VethPair } from "./helpers/netns.ts";
import { freePort } from "./helpers/ports.ts";
import { NET_SNMP_ENV } from "./helpers/snmpd.ts";

const CI = Deno.env.get("CI") === "true";
const TOKEN = "trap-flood-token-0123456789";
const COMMUNITY = "fnhd-flood";
const HOST = "10.231.220.1";
const [A, B, C] = ["10.231.220.2", "10.231.220.3", "10.231.220.4"];
const TRAP_PORT = 16_200;
const LINK_DOWN = "1.3.6.1.6.3.1.1.5.3";

async function unavailable(): Promise<string | null> {
  const netns = await netnsUnavailable();
  if (netns) return netns;
  try {
    await Deno.stat("/usr/bin/snmptrap");
    return null;
  } catch {
    return "/usr/bin/snmptrap is missing: apt-get install snmp";
  }
}
const missing = await unavailable();
const ignore = missing !== null && !CI;

interface Flood {
  pair: VethPair;
  daemon: Daemon;
  port: number;
  stateDir: string;
}

async function withFlood(env: Record<string, string>, fn: (f: Flood) => Promise<void>): Promise<void> {
  if (missing) throw new Error(`trap flood test cannot run: ${missing}`);
  const pair = await createVethPair({
    ns: "fnhd-trap",
    hostIf: "fnhdtrap-h",
    nsIf: "fnhdtrap-n",
    hostAddr: `${HOST}/24`,
    nsAddr: `${A}/24`,
  });
  const stateDir = await Deno.makeTempDir({ prefix: "flintnet_traps_" });
  let daemon: Daemon | undefined;
  try {
    for (const extra of [B, C]) await pair.exec(["ip", "addr", "add", `${extra}/24`, "dev", pair.nsIf]);
    const port = freePort();
    daemon = await startDaemon({
      FLINTNET_INTERFACE: "lo",
      FLINTNET_CIDR: "127.0.0.1/32",
      FLINTNET_LISTEN: `127.0.0.1:${port}`,
      FLINTNET_STATE_DIR: stateDir,
      FLINTNET_API_TOKEN: TOKEN,
      FLINTNET_TRAP_LISTEN: `${HOST}:${TRAP_PORT}`,
      FLINTNET_SNMP_COMMUNITIES: `10.231.220.0/24=${COMMUNITY}`,
      ...env,
    });
    await fn({ pair, daemon, port, stateDir });
  } finally {
    await daemon?.kill();
    await pair.destroy();
    await Deno.remove(stateDir, { recursive: true });
  }
}

/**
 * Sends `count` linkDown traps from `from`, the i-th with sysUpTime `first + i` and ifIndex i, plus
 * `extra` (more `OID type value` arguments), in one shell loop inside the namespace.
 */
async function flood(pair: VethPair, from: string, count: number, first: number, extra = ""): Promise<void> {
  const env = Object.entries(NET_SNMP_ENV).map(([k, v]) => `${k}=${v}`).join(" ");
  const script = `i=0; while [ $i -lt ${count} ]; do ` +
    `${env} snmptrap -v2c -c ${COMMUNITY} --clientaddr=${from} ${HOST}:${TRAP_PORT} $((${first} + i)) ` +
    `${LINK_DOWN} 1.3.6.1.2.1.2.2.1.1.$i i $i ${extra} || exit 1; i=$((i + 1)); done`;
  await pair.exec(["sh", "-c", script]);
}

async function api(port: number, path: string): Promise<Record<string, unknown>> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    headers: { Authorization: `Bearer ${TOKEN}` },
  });
  assert.equal(res.status, 200, path);
  return await res.json();
}

/** Waits until the receiver has counted `n` datagrams (none lost on the way: the flood is paced). */
async function received(port: number, n: number): Promise<Record<string, unknown>> {
  const until = Date.now() + 30_000;
  for (;;) {
    const traps = (await api(port, "/stats")).traps as { received: number };
    if (traps.received >= n) return traps as unknown as Record<string, unknown>;
    if (Date.now() > until) {
      throw new Error(`${traps.received} of ${n} traps received: ${JSON.stringify(traps)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface TrapAlert {
  summary: string;
  event: {
    source_ip: string;
    uptime_cs: number;
    varbinds: { oid: string; value: string }[];
    held_back: number;
  };
}

async function trapAlerts(port: number): Promise<TrapAlert[]> {
  return (await api(port, "/alerts?kind=trap&limit=1000")).alerts as TrapAlert[];
}

Deno.test({
  name: "a trap flood is cut to the per-source and overall rate, and each trap to its varbind caps",
  ignore,
  async fn() {
    await withFlood({
      FLINTNET_TRAP_RATE_PER_SOURCE: "20",
      FLINTNET_TRAP_RATE_TOTAL: "30",
      FLINTNET_TRAP_MAX_VARBINDS: "10",
    }, async ({ pair, port }) => {
      // C: one trap with a 60,000-octet value and 28 varbinds after sysUpTime.0 and snmpTrapOID.0.
      const big = "x".repeat(60_000);
      const more = Array.from({ length: 26 }, (_, k) => `1.3.6.1.4.1.99999.${k} i ${k}`).join(" ");
      await flood(pair, C, 1, 5000, `1.3.6.1.4.1.99999.100 s ${big} ${more}`);
      await received(port, 1);
      // A floods: 60 traps. B comes after: 15. (Sent within seconds: one minute of the limits.)
      await flood(pair, A, 60, 1000);
      await flood(pair, B, 15, 2000);
      const traps = await received(port, 76);
      const alerts = await trapAlerts(port);
      const from = (ip: string) => alerts.filter((a) => a.event.source_ip === ip);
      assert.equal(from(C).length, 1);
      assert.deepEqual(
        from(A).map((a) => a.event.uptime_cs).sort((x, y) => x - y),
        Array.from({ length: 20 }, (_, i) => 1000 + i),
        "A's first 20 traps, the rest held back",
      );
      assert.equal(from(B).length, 30 - 1 - 20, "B gets what is left of the 30 a minute in all");
      assert.equal((traps.dropped as Record<string, number>).rate_limited, 60 - 20 + 15 - 9);
      // The capped trap: 10 varbinds kept of the 30 sent, the long value cut to 1024 octets and marked.
      const capped = from(C)[0].event;
      assert.equal(capped.varbinds.length, 10);
      assert.match(from(C)[0].summary, /\(20 varbinds beyond the first 10 not kept\)/);
      const value = capped.varbinds.find((v) => v.oid === "1.3.6.1.4.1.99999.100")!.value;
      assert.equal(value, `${"x".repeat(1024)}…`);
    });
  },
});

Deno.test({
  name: "a trap flood keeps the history within its row and size bounds and the log to a summary line",
  ignore,
  async fn() {
    await withFlood({
      FLINTNET_TRAP_RATE_PER_SOURCE: "100000",
      FLINTNET_TRAP_RATE_TOTAL: "100000",
      FLINTNET_HISTORY_MAX_ALERTS: "100",
      FLINTNET_HISTORY_MAX_MB: "1",
      FLINTNET_TRAP_MAX_VALUE_BYTES: "65536",
    }, async ({ pair, daemon, port, stateDir }) => {
      await flood(pair, A, 150, 0);
      await received(port, 150);
      const page = await api(port, "/alerts?kind=trap&limit=1000");
      const kept = (page.alerts as TrapAlert[]).map((a) => a.event.uptime_cs).sort((x, y) => x - y);
      assert.ok(kept.length <= 100, `${kept.length} alerts kept`);
      assert.deepEqual(
        kept,
        Array.from({ length: kept.length }, (_, i) => 150 - kept.length + i),
        "the newest",
      );
      const history = ((await api(port, "/stats")).alerts as { history: Record<string, number> }).history;
      assert.equal(history.alerts, kept.length);
      assert.equal(history.pruned, 150 - kept.length);
      // 40 traps of about 60 KB each: about 2.4 MB into a 1 MiB history.
      await flood(pair, B, 40, 10_000, `1.3.6.1.4.1.99999.100 s ${"y".repeat(60_000)}`);
      await received(port, 190);
      const stopped = await daemon.terminate();
      assert.equal(stopped.code, 0);
      const db = new DatabaseSync(`${stateDir}/history.db`, { readOnly: true });
      try {
        const pragma = (name: string) => Object.values(db.prepare(`PRAGMA ${name}`).get()!)[0] as number;
        const used = (pragma("page_count") - pragma("freelist_count")) * pragma("page_size");
        assert.ok(used <= 1024 * 1024, `${used} bytes of the history in use`);
        const newest = db.prepare("SELECT summary FROM alerts ORDER BY ts DESC, id DESC LIMIT 1").get() as {
          summary: string;
        };
        assert.match(newest.summary, new RegExp(`from ${B.replaceAll(".", "\\.")}`), "the newest is kept");
      } finally {
        db.close();
      }
      // 20 traps logged one by one, then one line for the other 170 (written at the latest on stop).
      const records = daemon.records().filter((r) => r.component === "trap");
      assert.equal(records.filter((r) => r.id !== undefined).length, 20);
      const summaries = records.filter((r) => r.traps !== undefined);
      assert.equal(summaries.reduce((n, r) => n + (r.traps as number), 0), 170);
    });
  },
});
