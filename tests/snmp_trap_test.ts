/**
 * The trap receiver against Net-SNMP's own senders: `snmptrap -v1`, `snmptrap -v2c` and
 * `snmpinform -v2c` (Debian package snmp) sending to 127.0.40.1:10162. What each event must carry is
 * taken from the command line the test ran, never from the receiver's output. Without the tools the
 * tests are skipped, and with CI=true they fail instead.
 */
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import type { TrapEvent, TrapVarbind } from "../src/events/mod.ts";
import { TrapReceiver } from "../src/snmp/trap_receiver.ts";
import { mutateDatagram, seededRandom } from "./helpers/datagram_mutator.ts";
import { NET_SNMP_ENV } from "./helpers/snmpd.ts";

const CI = Deno.env.get("CI") === "true";
const TOOLS = ["/usr/bin/snmptrap", "/usr/bin/snmpinform"];

async function unavailable(): Promise<string | null> {
  for (const tool of TOOLS) {
    try {
      await Deno.stat(tool);
    } catch {
      return `${tool} is missing: apt-get install snmp`;
    }
  }
  return null;
}
const missing = await unavailable();
const ignore = missing !== null && !CI;

const HOST = "127.0.40.1";
const PORT = 10162;
const TARGET = `${HOST}:${PORT}`;
/** Where the test's senders send from (Net-SNMP's clientaddr), so the UDP source is known. */
const AGENT = "127.0.40.5";
/** A source configured with a community of its own. */
const OTHER_SITE = "127.0.40.66";
const COMMUNITY = "flint-traps";
const OTHER_COMMUNITY = "other-site";

/** Per-source communities, as FLINTNET_SNMP_COMMUNITIES would give them. */
function communities(ip: string): readonly string[] {
  if (ip === OTHER_SITE) return [OTHER_COMMUNITY];
  return ip.startsWith("127.") ? [COMMUNITY] : [];
}

/** A running receiver and what it published. */
interface Harness {
  receiver: TrapReceiver;
  events: TrapEvent[];
  /** Resolves with the first event matching `pred`; fails after 10 s listing what did arrive. */
  waitFor(pred: (e: TrapEvent) => boolean, what: string): Promise<TrapEvent>;
}

async function until(cond: () => boolean, what: string, detail: () => unknown): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) {
      throw new Error(`gave up waiting for ${what}; have ${JSON.stringify(detail())}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function withReceiver(fn: (h: Harness) => Promise<void>): Promise<void> {
  if (missing) throw new Error(`trap test cannot run: ${missing}`);
  const events: TrapEvent[] = [];
  const receiver = new TrapReceiver({
    hostname: HOST,
    port: PORT,
    communities,
    publish: (e) => events.push(e),
    // These tests are about what a trap says; the flood limit has tests of its own (trap_flood_test.ts).
    rateLimit: { perSource: 1_000_000, total: 1_000_000 },
  });
  await receiver.start();
  const waitFor = async (pred: (e: TrapEvent) => boolean, what: string) => {
    await until(() => events.some(pred), what, () => events);
    return events.find(pred)!;
  };
  try {
    await fn({ receiver, events, waitFor });
  } finally {
    await receiver.stop();
  }
}

/** Runs a Net-SNMP tool with numeric OIDs only; returns its exit code and what it printed. */
async function netSnmp(tool: string, args: string[]): Promise<{ code: number; output: string }> {
  const out = await new Deno.Command(tool, { args, env: NET_SNMP_ENV, stdout: "piped", stderr: "piped" })
    .output();
  const dec = new TextDecoder();
  return { code: out.code, output: dec.decode(out.stdout) + dec.decode(out.stderr) };
}

async function mustSend(tool: string, args: string[]): Promise<void> {
  const r = await netSnmp(tool, args);
  assert.equal(r.code, 0, `${tool} ${args.join(" ")} failed: ${r.output}`);
}

/** Options and the receiver's address: community, source address, then any `more` options (before the target). */
function v1(community: string, from = AGENT): string[] {
  return ["-v1", "-c", community, `--clientaddr=${from}`, TARGET];
}
function v2c(community: string, from = AGENT, ...more: string[]): string[] {
  return ["-v2c", "-c", community, `--clientaddr=${from}`, ...more, TARGET];
}

/** OID, Net-SNMP type letter, value: what a test puts on the command line. */
type Sent = [oid: string, type: string, value: string];

/** The type names TrapVarbind uses for Net-SNMP's type letters (snmpset(1)). */
const TYPE_NAME: Record<string, string> = {
  i: "Integer",
  u: "Gauge32",
  c: "Counter32",
  s: "OctetString",
  x: "OctetString",
  o: "ObjectIdentifier",
  a: "IpAddress",
  t: "TimeTicks",
  C: "Counter64",
};

/** What the receiver should report for what was sent: hex input as lower-case octet pairs, the rest as typed. */
function expected(sent: readonly Sent[]): TrapVarbind[] {
  return sent.map(([oid, t, value]) => ({
    oid,
    type: TYPE_NAME[t],
    value: t === "x" ? value.replace(/\s/g, "").toLowerCase().match(/../g)!.join(" ") : value,
  }));
}

const ENTERPRISE = "1.3.6.1.4.1.8072.2.3"; // NET-SNMP-EXAMPLES-MIB netSnmpExampleNotifications
const IF_INDEX = "1.3.6.1.2.1.2.2.1.1";

Deno.test({
  name: "snmptrap -v1 coldStart arrives named, from the agent-addr, with the sender's time-stamp",
  ignore,
  fn: () =>
    withReceiver(async ({ waitFor }) => {
      await mustSend("snmptrap", [...v1(COMMUNITY), ENTERPRISE, "127.0.0.5", "0", "0", "4242"]);
      const e = await waitFor((e) => e.version === "v1", "the v1 coldStart");
      assert.equal(e.name, "coldStart");
      assert.equal(e.trap_oid, "1.3.6.1.6.3.1.1.5.1");
      assert.equal(e.source_ip, "127.0.0.5");
      assert.equal(e.uptime_cs, 4242);
      assert.equal(e.pdu, "trap");
      assert.deepEqual(e.varbinds, []);
      assert.match(e.reason, /^coldStart from 127\.0\.0\.5: /);
    }),
});

Deno.test({
  name: "snmptrap -v1 linkDown carries its ifIndex; agent-addr 0.0.0.0 falls back to the UDP source",
  ignore,
  fn: () =>
    withReceiver(async ({ waitFor }) => {
      const sent: Sent[] = [[`${IF_INDEX}.3`, "i", "3"]];
      await mustSend("snmptrap", [...v1(COMMUNITY), ENTERPRISE, "0.0.0.0", "2", "0", "100", ...sent.flat()]);
      const e = await waitFor((e) => e.name === "linkDown", "the v1 linkDown");
      assert.equal(e.source_ip, AGENT);
      assert.equal(e.if_index, 3);
      assert.equal(e.trap_oid, "1.3.6.1.6.3.1.1.5.3");
      assert.deepEqual(e.varbinds, expected(sent));
      assert.equal(e.reason, `linkDown from ${AGENT}: interface 3 went down`);
    }),
});

Deno.test({
  name: "snmptrap -v1 enterprise-specific maps to enterprise.0.specific with every varbind as sent",
  ignore,
  fn: () =>
    withReceiver(async ({ waitFor }) => {
      const sent: Sent[] = [
        ["1.3.6.1.4.1.8072.9.1", "i", "-2147483648"],
        ["1.3.6.1.4.1.8072.9.2", "u", "4294967295"],
        ["1.3.6.1.4.1.8072.9.3", "c", "17"],
        ["1.3.6.1.4.1.8072.9.4", "s", "UPS on battery"],
        ["1.3.6.1.4.1.8072.9.5", "x", "00 1A 2B 3C 4D 5E"],
        ["1.3.6.1.4.1.8072.9.6", "o", "1.3.6.1.4.1.8072.3.2.10"],
        ["1.3.6.1.4.1.8072.9.7", "a", "192.0.2.44"],
        ["1.3.6.1.4.1.8072.9.8", "t", "8640000"],
      ];
      await mustSend("snmptrap", [
        ...v1(COMMUNITY),
        ENTERPRISE,
        "127.0.0.5",
        "6",
        "17",
        "300",
        ...sent.flat(),
      ]);
      const e = await waitFor((e) => e.version === "v1", "the v1 enterprise trap");
      assert.equal(e.name, "enterpriseSpecific");
      assert.equal(e.trap_oid, `${ENTERPRISE}.0.17`);
      assert.equal(e.if_index, null);
      assert.deepEqual(e.varbinds, expected(sent));
    }),
});

Deno.test({
  name: "snmptrap -v2c linkUp arrives with sysUpTime, snmpTrapOID and ifIndex as sent",
  ignore,
  fn: () =>
    withReceiver(async ({ waitFor }) => {
      const sent: Sent[] = [[`${IF_INDEX}.12`, "i", "12"]];
      await mustSend("snmptrap", [...v2c(COMMUNITY), "5555", "1.3.6.1.6.3.1.1.5.4", ...sent.flat()]);
      const e = await waitFor((e) => e.version === "v2c", "the v2c linkUp");
      assert.equal(e.name, "linkUp");
      assert.equal(e.source_ip, AGENT);
      assert.equal(e.uptime_cs, 5555);
      assert.equal(e.if_index, 12);
      assert.deepEqual(e.varbinds, [
        { oid: "1.3.6.1.2.1.1.3.0", type: "TimeTicks", value: "5555" },
        { oid: "1.3.6.1.6.3.1.1.4.1.0", type: "ObjectIdentifier", value: "1.3.6.1.6.3.1.1.5.4" },
        ...expected(sent),
      ]);
      assert.equal(e.reason, `linkUp from ${AGENT}: interface 12 came up`);
    }),
});

Deno.test({
  name: "snmptrap -v2c enterprise-specific delivers i, u, c, s, x, o, a, t and Counter64 values as sent",
  ignore,
  fn: () =>
    withReceiver(async ({ waitFor }) => {
      const trapOid = `${ENTERPRISE}.0.1`;
      const sent: Sent[] = [
        ["1.3.6.1.4.1.8072.9.1", "i", "-42"],
        ["1.3.6.1.4.1.8072.9.2", "u", "4000000000"],
        ["1.3.6.1.4.1.8072.9.3", "c", "123456"],
        ["1.3.6.1.4.1.8072.9.4", "s", "uplink to core — étage 2"],
        ["1.3.6.1.4.1.8072.9.5", "x", "DEADBEEF00"],
        ["1.3.6.1.4.1.8072.9.6", "o", "1.3.6.1.4.1.99999.1"],
        ["1.3.6.1.4.1.8072.9.7", "a", "10.1.2.3"],
        ["1.3.6.1.4.1.8072.9.8", "t", "987654"],
        ["1.3.6.1.4.1.8072.9.9", "C", "18446744073709551615"],
      ];
      await mustSend("snmptrap", [...v2c(COMMUNITY), "777", trapOid, ...sent.flat()]);
      const e = await waitFor((e) => e.trap_oid === trapOid, "the v2c enterprise trap");
      assert.equal(e.name, "enterpriseSpecific");
      assert.deepEqual(e.varbinds.slice(2), expected(sent));
      assert.equal(e.reason, `enterprise-specific trap ${trapOid} from ${AGENT} with ${sent.length} values`);
    }),
});

Deno.test({
  name: "snmpinform -v2c is acknowledged (snmpinform exits 0) and published as an inform",
  ignore,
  fn: () =>
    withReceiver(async ({ receiver, waitFor }) => {
      const sent: Sent[] = [[`${IF_INDEX}.7`, "i", "7"]];
      await mustSend("snmpinform", [
        ...v2c(COMMUNITY, AGENT, "-t", "2", "-r", "2"),
        "9000",
        "1.3.6.1.6.3.1.1.5.3",
        ...sent.flat(),
      ]);
      const e = await waitFor((e) => e.pdu === "inform", "the inform");
      assert.equal(e.name, "linkDown");
      assert.equal(e.if_index, 7);
      assert.deepEqual(e.varbinds.slice(2), expected(sent));
      await until(() => receiver.counters().acknowledged >= 1, "the acknowledgement count", () =>
        receiver.counters());
    }),
});

Deno.test({
  name:
    "a wrong community is dropped and counted, never published, and an inform with it is not acknowledged",
  ignore,
  fn: () =>
    withReceiver(async ({ receiver, events, waitFor }) => {
      await mustSend("snmptrap", [...v2c("wrong"), "1", "1.3.6.1.6.3.1.1.5.1"]);
      // The right community from the other site's address is still wrong there.
      await mustSend("snmptrap", [...v2c(COMMUNITY, OTHER_SITE), "2", "1.3.6.1.6.3.1.1.5.1"]);
      const inform = await netSnmp("snmpinform", [
        ...v2c("wrong", AGENT, "-t", "0.5", "-r", "0"),
        "3",
        "1.3.6.1.6.3.1.1.5.2",
      ]);
      assert.notEqual(inform.code, 0, `snmpinform should time out unacknowledged: ${inform.output}`);
      assert.match(inform.output, /Timeout/);
      // A trap with the other site's own community arrives; everything before it on the same path has been handled.
      await mustSend("snmptrap", [...v2c(OTHER_COMMUNITY, OTHER_SITE), "4", "1.3.6.1.6.3.1.1.5.2"]);
      await waitFor((e) => e.source_ip === OTHER_SITE, "the other site's trap");
      assert.deepEqual(events.map((e) => [e.source_ip, e.uptime_cs]), [[OTHER_SITE, 4]]);
      const c = receiver.counters();
      assert.equal(c.dropped.community, 3);
      assert.equal(c.acknowledged, 0);
    }),
});

Deno.test({
  name: "an SNMPv3 trap is counted as unsupported and not published",
  ignore,
  fn: () =>
    withReceiver(async ({ receiver, events }) => {
      await mustSend("snmptrap", [
        "-v3",
        "-u",
        "flint",
        "-l",
        "noAuthNoPriv",
        `--clientaddr=${AGENT}`,
        TARGET,
        "5",
        "1.3.6.1.6.3.1.1.5.1",
      ]);
      await until(() => receiver.counters().received === 1, "the v3 datagram", () => receiver.counters());
      assert.deepEqual(receiver.counters().dropped, {
        malformed: 0,
        community: 0,
        unsupported: 1,
        rate_limited: 0,
      });
      assert.deepEqual(events, []);
    }),
});

/** Datagrams exactly as Net-SNMP sends them, caught on a plain socket, to mutate. */
async function captureSeeds(): Promise<Uint8Array[]> {
  const catcher = createSocket("udp4");
  const seeds: Uint8Array[] = [];
  catcher.on("message", (m) => seeds.push(new Uint8Array(m)));
  await new Promise<void>((resolve) => catcher.bind({ address: HOST, port: PORT }, resolve));
  try {
    await mustSend("snmptrap", [
      ...v1(COMMUNITY),
      ENTERPRISE,
      "127.0.0.5",
      "2",
      "0",
      "1",
      `${IF_INDEX}.3`,
      "i",
      "3",
    ]);
    await mustSend("snmptrap", [
      ...v2c(COMMUNITY),
      "1",
      `${ENTERPRISE}.0.1`,
      "1.3.6.1.4.1.8072.9.9",
      "C",
      "5",
    ]);
    await netSnmp("snmpinform", [
      ...v2c(COMMUNITY, AGENT, "-t", "0.2", "-r", "0"),
      "1",
      "1.3.6.1.6.3.1.1.5.1",
    ]);
    await until(() => seeds.length >= 3, "three seed datagrams", () => seeds.length);
  } finally {
    await new Promise<void>((resolve) => catcher.close(() => resolve()));
  }
  return seeds;
}

Deno.test({
  name: "10,000 random, truncated and mutated datagrams are all counted and the receiver keeps working",
  ignore,
  fn: async () => {
    if (missing) throw new Error(`trap test cannot run: ${missing}`);
    const seeds = await captureSeeds();
    await withReceiver(async ({ receiver, waitFor }) => {
      const fuzzer = createSocket("udp4");
      fuzzer.on("message", () => {}); // acknowledgements of informs that survived mutation
      const seed = 162;
      const rand = seededRandom(seed);
      try {
        const total = 10_000;
        for (let sent = 0; sent < total;) {
          // Batches the receive buffer holds, so every datagram is delivered and the count can be exact.
          for (let i = 0; i < 200; i++, sent++) fuzzer.send(mutateDatagram(seeds, rand), PORT, HOST);
          const want = sent;
          await until(
            () => receiver.counters().received >= want,
            `${want} datagrams (seed ${seed})`,
            () => receiver.counters(),
          );
        }
        const c = receiver.counters();
        assert.equal(c.received, total);
        assert.equal(
          c.published + c.dropped.malformed + c.dropped.community + c.dropped.unsupported +
            c.dropped.rate_limited,
          total,
        );
        assert.ok(c.dropped.malformed > 0, "garbage should be counted as malformed");
      } finally {
        await new Promise<void>((resolve) => fuzzer.close(() => resolve()));
      }
      await mustSend("snmptrap", [...v2c(COMMUNITY), "31337", "1.3.6.1.6.3.1.1.5.2"]);
      await waitFor((e) => e.uptime_cs === 31337 && e.name === "warmStart", "a valid trap after the fuzz");
    });
  },
});
