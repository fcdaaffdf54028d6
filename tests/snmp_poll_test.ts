/**
 * The SNMP session and pollers against Debian's snmpd. Oracles: the snmpd.conf the test wrote (system
 * group, v3 users), `snmpwalk -On` of the same agent (interfaces, walk caps), and `ip neigh` inside the
 * network namespace the agent runs in (ARP table). Addresses 127.0.10.1–127.0.10.9, ports 1161–1169,
 * namespace tag "snmparp" with 10.231.40.0/24. Skipped without snmpd (or root) unless CI=true.
 */
import assert from "node:assert/strict";
import { createSnmpSession } from "../src/snmp/session.ts";
import { getSystemInfo } from "../src/snmp/system_info.ts";
import { InterfacePoller } from "../src/polling/interface_poller.ts";
import { walkArpTable } from "../src/polling/arp_table.ts";
import { createDevicePollState, pollDevice } from "../src/polling/poll_device.ts";
import { type SnmpCredentials, SnmpError, type SnmpTarget } from "../src/snmp/snmp_types.ts";
import type { InterfaceJson } from "../src/events/mod.ts";
import { NET_SNMP_ENV, type Snmpd, snmpdUnavailable, startSnmpd } from "./helpers/snmpd.ts";
import { createVethPair, netnsUnavailable, vethNames } from "./helpers/netns.ts";

const CI = Deno.env.get("CI") === "true";
const missing = await snmpdUnavailable();
const noNetns = await netnsUnavailable();

const COMMUNITY = "flint-poll-10";
const SYSTEM_CONF = [
  `rocommunity ${COMMUNITY} 127.0.0.0/8`,
  `rocommunity ${COMMUNITY} 10.231.40.0/24`,
  "sysname poll-test-rtr",
  "sysdescr Flintnet poll test agent, version 1.2.3",
  "sysservices 78",
  "sysobjectid 1.3.6.1.4.1.8072.3.2.10",
  'createUser pollsha SHA "poll-auth-key-1" AES "poll-priv-key-1"',
  "rouser pollsha priv",
  'createUser polldes MD5 "poll-auth-key-2" DES "poll-priv-key-2"',
  "rouser polldes priv",
].join("\n");

function target(ip: string, port: number, credentials: SnmpCredentials, timeoutMs = 1500): SnmpTarget {
  return { ip, port, credentials, timeoutMs, retries: 1 };
}
const V2C: SnmpCredentials = { version: "v2c", community: COMMUNITY };

/** Runs a test body with a fresh snmpd, printing its output when the body fails. */
async function withAgent(
  o: { address: string; port: number; netns?: string },
  body: (agent: Snmpd) => Promise<void>,
): Promise<void> {
  if (missing) throw new Error(`snmpd test cannot run: ${missing}`);
  const agent = await startSnmpd({ ...o, config: SYSTEM_CONF });
  let ok = false;
  try {
    await body(agent);
    ok = true;
  } finally {
    if (!ok) console.error(`snmpd output:\n${agent.output()}`);
    await agent.stop();
  }
}

/** `snmpwalk -v2c -On` of `oid`: OID (no leading dot) → value text (strings unquoted). */
async function snmpwalk(endpoint: string, oid: string, netns?: string): Promise<Map<string, string>> {
  const args = ["snmpwalk", "-v2c", "-c", COMMUNITY, "-On", "-Oe", "-t", "2", endpoint, oid];
  const cmd = netns ? ["ip", "netns", "exec", netns, ...args] : args;
  const out = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    env: NET_SNMP_ENV,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const text = new TextDecoder().decode(out.stdout);
  if (out.code !== 0) throw new Error(`snmpwalk failed: ${new TextDecoder().decode(out.stderr)}`);
  const rows = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^\.(\S+) = (?:([\w-]+): )?(.*)$/.exec(line);
    if (!m || /^No Such|^No more/.test(m[3])) continue;
    rows.set(m[1], m[2] === "STRING" ? m[3].replace(/^"(.*)"$/, "$1") : m[3].replace(/^""$/, ""));
  }
  return rows;
}

/** IANAifType names the test knows independently (IANAifType-MIB). */
const IANA: Record<string, string> = {
  "1": "other",
  "6": "ethernetCsmacd",
  "24": "softwareLoopback",
  "53": "propVirtual",
};
const STATUS = ["", "up", "down", "testing", "unknown", "dormant", "not_present", "lower_layer_down"];

/** The interfaces as snmpwalk sees them, in the fields the oracle can give. */
async function oracleInterfaces(endpoint: string, netns?: string) {
  const t = await snmpwalk(endpoint, "1.3.6.1.2.1.2.2.1", netns);
  const x = await snmpwalk(endpoint, "1.3.6.1.2.1.31.1.1.1", netns);
  const out = [];
  for (const [oid, descr] of t) {
    const m = /^1\.3\.6\.1\.2\.1\.2\.2\.1\.2\.(\d+)$/.exec(oid);
    if (!m) continue;
    const i = m[1];
    const high = Number(x.get(`1.3.6.1.2.1.31.1.1.1.15.${i}`) ?? 0);
    const speed = Number(t.get(`1.3.6.1.2.1.2.2.1.5.${i}`) ?? 0);
    const type = t.get(`1.3.6.1.2.1.2.2.1.3.${i}`)!;
    out.push({
      index: Number(i),
      name: x.get(`1.3.6.1.2.1.31.1.1.1.1.${i}`) || descr,
      alias: x.get(`1.3.6.1.2.1.31.1.1.1.18.${i}`) ?? "",
      type: IANA[type] ?? type,
      speed_bps: high > 0 ? high * 1e6 : speed > 0 ? speed : null,
      oper_status: STATUS[Number(t.get(`1.3.6.1.2.1.2.2.1.8.${i}`))],
      admin_status: STATUS[Number(t.get(`1.3.6.1.2.1.2.2.1.7.${i}`))],
      counters: x.has(`1.3.6.1.2.1.31.1.1.1.6.${i}`) ? "hc64" : "c32",
    });
  }
  return out.sort((a, b) => a.index - b.index);
}

function identity(list: InterfaceJson[]) {
  return list.map(({ index, name, alias, type, speed_bps, oper_status, admin_status, counters }) => ({
    index,
    name,
    alias,
    type,
    speed_bps,
    oper_status,
    admin_status,
    counters,
  }));
}

Deno.test({
  name: "getSystemInfo() returns exactly the sysName, sysDescr, sysServices and sysObjectID snmpd.conf set",
  ignore: missing !== null && !CI,
  async fn() {
    await withAgent({ address: "127.0.10.1", port: 1161 }, async () => {
      const s = createSnmpSession(target("127.0.10.1", 1161, V2C));
      try {
        const info = await getSystemInfo(s);
        assert.equal(info.sysName, "poll-test-rtr");
        assert.equal(info.sysDescr, "Flintnet poll test agent, version 1.2.3");
        assert.equal(info.sysServices, 78);
        assert.equal(info.sysObjectId, "1.3.6.1.4.1.8072.3.2.10");
        assert.ok(Number.isInteger(info.sysUpTimeCs) && info.sysUpTimeCs >= 0);
      } finally {
        s.close();
      }
    });
  },
});

Deno.test({
  name: "SNMPv3 authPriv works with SHA/AES and MD5/DES users; a wrong key or unknown user is auth_failure",
  ignore: missing !== null && !CI,
  async fn() {
    await withAgent({ address: "127.0.10.2", port: 1162 }, async () => {
      const v3 = (
        user: string,
        authProtocol: "sha" | "md5",
        authKey: string,
        privProtocol: "aes" | "des",
        privKey: string,
      ) =>
        createSnmpSession(
          target("127.0.10.2", 1162, { version: "v3", user, authProtocol, authKey, privProtocol, privKey }),
        );
      for (
        const s of [
          v3("pollsha", "sha", "poll-auth-key-1", "aes", "poll-priv-key-1"),
          v3("polldes", "md5", "poll-auth-key-2", "des", "poll-priv-key-2"),
        ]
      ) {
        try {
          assert.equal((await getSystemInfo(s)).sysName, "poll-test-rtr");
          // A walk too, so several encrypted requests go one after another on one session.
          assert.ok((await s.walk("1.3.6.1.2.1.2.2.1.2")).length > 0);
        } finally {
          s.close();
        }
      }
      const wrongKey = v3("pollsha", "sha", "not-the-auth-key", "aes", "poll-priv-key-1");
      const unknown = v3("nobody", "sha", "poll-auth-key-1", "aes", "poll-priv-key-1");
      try {
        await assert.rejects(getSystemInfo(wrongKey), { failure: "auth_failure", message: /wrong digest/ });
        await assert.rejects(getSystemInfo(unknown), {
          failure: "auth_failure",
          message: "auth failure: unknown user name",
        });
      } finally {
        wrongKey.close();
        unknown.close();
      }
    });
  },
});

Deno.test("a session to an address where nothing listens rejects with a timeout", async () => {
  const s = createSnmpSession({ ...target("127.0.10.9", 1169, V2C), timeoutMs: 200, retries: 1 });
  try {
    await assert.rejects(
      getSystemInfo(s),
      (e) =>
        e instanceof SnmpError && e.failure === "timeout" && e.message === "timeout after 200 ms × 2 tries",
    );
  } finally {
    s.close();
  }
});

Deno.test({
  name: "session.walk() with a small maxRows returns exactly the first rows snmpwalk lists",
  ignore: missing !== null && !CI,
  async fn() {
    await withAgent({ address: "127.0.10.3", port: 1163 }, async (agent) => {
      const s = createSnmpSession(target("127.0.10.3", 1163, V2C));
      try {
        // The system group is stable (ifTable is not: other tests add interfaces to this host meanwhile).
        const oracle = [...(await snmpwalk(agent.endpoint, "1.3.6.1.2.1.1")).keys()];
        assert.ok(oracle.length > 5);
        const got = await s.walk("1.3.6.1.2.1.1", 5);
        assert.deepEqual(got.map((v) => v.oid), oracle.slice(0, 5));
        const all = await s.walk("1.3.6.1.2.1.1");
        assert.deepEqual(all.map((v) => v.oid), oracle);
      } finally {
        s.close();
      }
    });
  },
});

Deno.test({
  name: "interfaces and the ARP table of an snmpd in a namespace equal snmpwalk's and ip neigh's view",
  ignore: (missing !== null || noNetns !== null) && !CI,
  async fn() {
    if (noNetns) throw new Error(`namespace test cannot run: ${noNetns}`);
    const pair = await createVethPair({
      ...vethNames("snmparp"),
      hostAddr: "10.231.40.1/24",
      nsAddr: "10.231.40.2/24",
    });
    try {
      const neighbours = [
        ["10.231.40.50", "02:00:0a:e7:28:32"],
        ["10.231.40.51", "02:00:0a:e7:28:33"],
        ["10.231.40.52", "02:00:0a:e7:28:34"],
      ];
      for (const [ip, mac] of neighbours) {
        await pair.exec(["ip", "neigh", "add", ip, "lladdr", mac, "dev", pair.nsIf, "nud", "permanent"]);
      }
      await withAgent({ address: pair.nsIp, port: 1161, netns: pair.ns }, async (agent) => {
        const s = createSnmpSession(target(pair.nsIp, 1161, V2C));
        try {
          // ARP: the oracle is the namespace's own neighbour table.
          const neigh = JSON.parse((await pair.exec(["ip", "-j", "neigh", "show"])).stdout) as {
            dst: string;
            dev: string;
            lladdr?: string;
            state: string[];
          }[];
          const links = JSON.parse((await pair.exec(["ip", "-j", "link", "show"])).stdout) as {
            ifindex: number;
            ifname: string;
          }[];
          const ifIndex = new Map(links.map((l) => [l.ifname, l.ifindex]));
          const expected = neigh.filter((n) => n.lladdr && !n.dst.includes(":")).map((n) => ({
            device: pair.nsIp,
            ifIndex: ifIndex.get(n.dev),
            ip: n.dst,
            mac: n.lladdr,
            type: n.state.includes("PERMANENT") ? "static" : "dynamic",
          }));
          for (const [ip, mac] of neighbours) assert.ok(expected.some((e) => e.ip === ip && e.mac === mac));
          const byIp = (a: { ip: string }, b: { ip: string }) => a.ip.localeCompare(b.ip);
          assert.deepEqual((await walkArpTable(s, pair.nsIp)).sort(byIp), expected.sort(byIp));

          // Interfaces: lo and the veth end, nothing else can appear in this namespace meanwhile.
          const oracle = await oracleInterfaces(agent.endpoint, pair.ns);
          assert.equal(oracle.length, 2);
          const state = { interfaces: new InterfacePoller() };
          const first = await pollDevice(s, state, Date.now());
          assert.deepEqual(identity(first.interfaces), oracle);
          assert.ok(first.interfaces.every((i) => i.in_bps === null), "no rates on the first poll");
          assert.equal(first.system.sysName, "poll-test-rtr");
          assert.ok(first.memoryPct !== null && first.memoryPct > 0 && first.memoryPct <= 100);
          assert.deepEqual(first.warnings, []);
          // snmpd caches interface counters for a few seconds; wait for a fresh sample.
          await new Promise((r) => setTimeout(r, 3500));
          const second = await pollDevice(s, state, Date.now());
          for (const i of second.interfaces) {
            assert.ok(i.in_bps !== null && i.in_bps >= 0, `${i.name} has an inbound rate`);
            assert.ok(i.in_errors_per_s !== null && i.in_errors_per_s >= 0);
            if (i.speed_bps !== null) {
              assert.ok(i.in_util_pct !== null && i.in_util_pct >= 0 && i.in_util_pct <= 100);
            }
          }
        } finally {
          s.close();
        }
      });
    } finally {
      await pair.destroy();
    }
  },
});

Deno.test({
  name: "a freshly started snmpd's processor load is read at the first poll after snmpwalk shows it",
  ignore: missing !== null && !CI,
  async fn() {
    // Net-SNMP lists its processors at once but samples hrProcessorLoad only after a minute: at the start the
    // column is empty, and the poller must not then skip the table for its next 10 polls.
    await withAgent({ address: "127.0.10.4", port: 1164 }, async (agent) => {
      const s = createSnmpSession(target("127.0.10.4", 1164, V2C));
      const HR_PROCESSOR_LOAD = "1.3.6.1.2.1.25.3.3.1.2";
      try {
        const state = createDevicePollState();
        const first = await pollDevice(s, state, Date.now());
        const loadsThen = await snmpwalk(agent.endpoint, HR_PROCESSOR_LOAD);
        assert.equal(loadsThen.size, 0, "a fresh snmpd has no processor load yet (the oracle's view)");
        assert.equal(first.cpuPct, null);
        // Polls every 5 s (the daemon's interval is longer; the table's rule counts polls, not seconds) until
        // snmpwalk sees loads, then one more: it must have them.
        const deadline = Date.now() + 90_000;
        let loads = loadsThen;
        while (loads.size === 0 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 5000));
          await pollDevice(s, state, Date.now());
          loads = await snmpwalk(agent.endpoint, HR_PROCESSOR_LOAD);
        }
        assert.ok(loads.size > 0, "snmpd sampled its processor load within 90 s");
        const after = await pollDevice(s, state, Date.now());
        const values = [...loads.values()].map(Number);
        assert.ok(after.cpuPct !== null, "the poll after the load appeared reads it");
        assert.ok(after.cpuPct >= 0 && after.cpuPct <= 100);
        assert.deepEqual(after.warnings, []);
        assert.ok(values.every((v) => v >= 0 && v <= 100));
      } finally {
        s.close();
      }
    });
  },
});
