/**
 * End to end, through public surfaces only (REST API, /stream, the JSON log, the state dir, an SMTP
 * server's inbox): one daemon, started as a user starts it, watching the host end of a veth pair whose
 * other end is a "Linux server" in a network namespace running Debian's snmpd.
 *
 * 1. discovery sweeps the /24, finds and classifies the server, polls its interfaces; when its snmpd
 *    restarts, the next poll publishes the interface without rates, the one after with rates again;
 * 2. SNMP traps: a linkDown from the server marks its interface down, one from 127.0.0.1 is only an
 *    alert, and one with a wrong community is dropped;
 * 3. ARP security: the namespace forges ARP replies claiming the host's address → one arp_spoof event,
 *    an alert, the device page's changelog, and one e-mail over STARTTLS naming both MACs;
 * 4. persistence: SIGTERM, devices.json and history.db on disk, and a second daemon on the same state
 *    dir knows the device at once with the same first_seen.
 *
 * Every expectation comes from what the test set up: the snmpd.conf it wrote, `ip -j link` inside the
 * namespace, the traps and frames it sent. Addresses: 10.231.43.0/24 (netns tag "e2edev"), 127.0.0.1
 * ports 18400–18402 (HTTP, traps, SMTP), agent port 18403 inside the namespace.
 */
import assert from "node:assert/strict";
import type { DeviceEvent, DeviceJson, InterfaceEvent, SecurityEvent, TrapEvent } from "../src/events/mod.ts";
import { forgeHostIpClaim, scapyUnavailable } from "./helpers/arp_forger.ts";
import { type Daemon, openSse, type SseEvent, type SseReader, startDaemon } from "./helpers/daemon.ts";
import { createVethPair, netnsUnavailable, run, vethNames, type VethPair } from "./helpers/netns.ts";
import { type Snmpd, type SnmpdOptions, snmpdUnavailable, startSnmpd } from "./helpers/snmpd.ts";
import { type SmtpServer, smtpServerUnavailable, startSmtpServer } from "./helpers/smtp_server.ts";

const CI = Deno.env.get("CI") === "true";
const HTTP_PORT = 18400;
const TRAP_PORT = 18401;
const SMTP_PORT = 18402;
const AGENT_PORT = 18403;
const BASE = `http://127.0.0.1:${HTTP_PORT}`;
const TOKEN = "e2e-devices-token-0123456789abcdef";
const AUTH = { Authorization: `Bearer ${TOKEN}` };
const COMMUNITY = "e2e-c0mmunity";
const SYS_NAME = "fileserver-e2e";
const SYS_DESCR =
  "Linux fileserver-e2e 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01) x86_64";
/** NET-SNMP-TC netSnmpAgentOIDs.linux: what Net-SNMP on Linux says it is. */
const SYS_OBJECT_ID = "1.3.6.1.4.1.8072.3.2.10";
const MAIL_TO = "noc@e2e.test";
/** IF-MIB linkDown / linkUp (RFC 2863 §6) and ifIndex (IF-MIB ifEntry.1). */
const LINK_DOWN = "1.3.6.1.6.3.1.1.5.3";
const LINK_UP = "1.3.6.1.6.3.1.1.5.4";
const IF_INDEX = "1.3.6.1.2.1.2.2.1.1";

async function unavailable(): Promise<string | null> {
  const netns = await netnsUnavailable();
  if (netns) return netns;
  const snmpd = await snmpdUnavailable();
  if (snmpd) return snmpd;
  try {
    await Deno.stat("/usr/bin/snmptrap");
  } catch {
    return "/usr/bin/snmptrap is missing: apt-get install snmp";
  }
  const scapy = await scapyUnavailable();
  if (scapy) return scapy;
  return await smtpServerUnavailable();
}
const missing = await unavailable();

async function api(method: string, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${BASE}${path}`, { method, headers: AUTH });
  const text = await res.text();
  return { status: res.status, body: text === "" ? null : JSON.parse(text) };
}

async function getJson<T>(path: string): Promise<T> {
  const r = await api("GET", path);
  assert.equal(r.status, 200, `GET ${path} answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body as T;
}

function data<T>(e: SseEvent): T {
  return JSON.parse(e.data) as T;
}

/** `ip -j link` inside the namespace: the oracle for the agent's interfaces and MAC. */
async function nsLinks(pair: VethPair): Promise<{ ifindex: number; ifname: string; address: string }[]> {
  return JSON.parse((await pair.exec(["ip", "-j", "link"])).stdout);
}

/** An snmptrap command line: a link trap about `ifIndex` to `target` (MIB loading off: OIDs stay numeric). */
function linkTrap(target: string, community: string, trapOid: string, ifIndex: number): string[] {
  return [
    "env",
    "MIBS=",
    "MIBDIRS=/nonexistent",
    "snmptrap",
    "-v2c",
    "-c",
    community,
    target,
    "",
    trapOid,
    `${IF_INDEX}.${ifIndex}`,
    "i",
    String(ifIndex),
  ];
}

/** The namespace's snmpd: a Debian file server, as its snmpd.conf says. */
function agentOptions(pair: VethPair): SnmpdOptions {
  return {
    address: pair.nsIp,
    port: AGENT_PORT,
    netns: pair.ns,
    config: [
      `rocommunity ${COMMUNITY} 10.231.43.0/24`,
      `sysname ${SYS_NAME}`,
      `sysdescr ${SYS_DESCR}`,
      `sysobjectid .${SYS_OBJECT_ID}`,
      "sysservices 72",
    ].join("\n"),
  };
}

function daemonEnv(pair: VethPair, stateDir: string): Record<string, string> {
  return {
    FLINTNET_STATE_DIR: stateDir,
    FLINTNET_INTERFACE: pair.hostIf,
    FLINTNET_CIDR: "10.231.43.0/24",
    FLINTNET_LISTEN: `127.0.0.1:${HTTP_PORT}`,
    FLINTNET_API_TOKEN: TOKEN,
    FLINTNET_SNMP_COMMUNITY: COMMUNITY,
    FLINTNET_SNMP_PORT: String(AGENT_PORT),
    FLINTNET_SNMP_TIMEOUT: "300ms",
    FLINTNET_SNMP_RETRIES: "0",
    FLINTNET_SNMP_POLL_INTERVAL: "10s",
    // Every address: the namespace sends its traps to the host end of the veth, the test to 127.0.0.1.
    FLINTNET_TRAP_LISTEN: `0.0.0.0:${TRAP_PORT}`,
    // Both ends are learned quietly (no rogue-device mail); spoofing is reported during learning too.
    FLINTNET_LEARNING_PERIOD: "1h",
    FLINTNET_ALERT_COOLDOWN: "5s",
    FLINTNET_SMTP_HOST: "127.0.0.1",
    FLINTNET_SMTP_PORT: String(SMTP_PORT),
    FLINTNET_SMTP_FROM: "flintnet@e2e.test",
    FLINTNET_SMTP_TO: MAIL_TO,
    FLINTNET_SMTP_TLS_REJECT_UNAUTHORIZED: "0",
  };
}

Deno.test({
  name: "daemon discovers, classifies and polls an snmpd host, takes its traps, reports ARP spoofing " +
    "by e-mail once, and keeps its devices across a restart",
  ignore: missing !== null && !CI,
  async fn(t) {
    if (missing) throw new Error(`daemon device end-to-end test cannot run: ${missing}`);
    const pair = await createVethPair({
      ...vethNames("e2edev"),
      hostAddr: "10.231.43.1/24",
      nsAddr: "10.231.43.2/24",
      staticNeighbours: false,
    });
    const stateDir = await Deno.makeTempDir({ prefix: "flintnet-e2edev-" });
    let agent: Snmpd | undefined;
    let smtp: SmtpServer | undefined;
    let daemon: Daemon | undefined;
    let stream: SseReader | undefined;
    try {
      agent = await startSnmpd(agentOptions(pair));
      smtp = await startSmtpServer({ address: "127.0.0.1", port: SMTP_PORT });
      daemon = await startDaemon(daemonEnv(pair, stateDir));
      // From the first event the hub kept: the start sweep began before the API could be reached.
      stream = await openSse(`${BASE}/stream?types=device,interface,trap,security`, {
        ...AUTH,
        "Last-Event-ID": "0",
      });
      const links = await nsLinks(pair);
      const nsLink = links.find((l) => l.ifname === pair.nsIf)!;
      const ev = stream;
      const d = daemon;
      let firstSeen = "";

      await step(
        t,
        "discovery finds the namespace's snmpd, classifies it a server and polls its interfaces",
        async () => {
          const isDevice = (action: string) => (e: SseEvent) =>
            e.event === "device" && data<DeviceEvent>(e).action === action;
          await ev.waitFor(isDevice("sweep_finished"), 20_000, "the start sweep finishing");
          const found = data<DeviceEvent>(
            await ev.waitFor(
              (e) => isDevice("found")(e) && data<DeviceEvent>(e).device?.ip === pair.nsIp,
              1_000,
              `found ${pair.nsIp}`,
            ),
          );
          assert.equal(found.device!.mac, nsLink.address);

          const post = await api("POST", "/discovery");
          assert.equal(post.status, 202, "no sweep runs any more: a new one starts");
          const id = (post.body as { sweep: { id: number } }).sweep.id;
          // Sweeps never overlap: asking again while it runs (its ARP phase alone listens for 1 s) joins it.
          const joined = await api("POST", "/discovery");
          assert.equal(joined.status, 200);
          assert.deepEqual(
            [
              (joined.body as { started: boolean }).started,
              (joined.body as { sweep: { id: number } }).sweep.id,
            ],
            [false, id],
          );
          const ofSweep = (action: string) => (e: SseEvent) =>
            isDevice(action)(e) && data<DeviceEvent>(e).sweep?.id === id;
          const started = data<DeviceEvent>(
            await ev.waitFor(ofSweep("sweep_started"), 5_000, "sweep_started"),
          );
          assert.equal(started.sweep!.trigger, "api");
          assert.deepEqual(started.sweep!.cidrs, ["10.231.43.0/24"]);
          const finished = data<DeviceEvent>(
            await ev.waitFor(ofSweep("sweep_finished"), 20_000, "sweep_finished"),
          );
          assert.equal(finished.sweep!.total, 254, "a /24 has 254 host addresses");
          assert.equal(finished.sweep!.scanned, 254);
          assert.ok(finished.sweep!.snmp >= 1);

          // A second poll gives rates: wait for an interface event of the namespace's link with in_bps.
          await ev.waitFor(
            (e) => {
              if (e.event !== "interface") return false;
              const i = data<InterfaceEvent>(e);
              return i.device_ip === pair.nsIp && i.interface.index === nsLink.ifindex &&
                i.interface.in_bps !== null;
            },
            25_000,
            "an interface event with in_bps",
          );
          const dev = await getJson<DeviceJson>(`/devices/${pair.nsIp}`);
          assert.equal(dev.name, SYS_NAME);
          assert.equal(dev.type, "server");
          assert.equal(dev.sys_descr, SYS_DESCR);
          assert.equal(dev.sys_object_id, SYS_OBJECT_ID);
          assert.equal(dev.snmp.status, "ok");
          assert.equal(dev.mac, nsLink.address);
          assert.deepEqual(
            dev.interfaces.map((i) => [i.index, i.name]).sort((a, b) => Number(a[0]) - Number(b[0])),
            links.map((l) => [l.ifindex, l.ifname]).sort((a, b) => Number(a[0]) - Number(b[0])),
          );
          const veth = dev.interfaces.find((i) => i.index === nsLink.ifindex)!;
          assert.equal(typeof veth.in_bps, "number");
          assert.equal(veth.oper_status, "up");
          firstSeen = dev.first_seen;

          const servers = await getJson<{ devices: DeviceJson[] }>("/devices?type=server");
          assert.ok(servers.devices.some((x) => x.ip === pair.nsIp), "GET /devices?type=server lists it");
          const routers = await getJson<{ devices: DeviceJson[] }>("/devices?type=router");
          assert.ok(!routers.devices.some((x) => x.ip === pair.nsIp));
        },
      );

      await step(
        t,
        "snmpd restarts: the poll after it publishes the interface without rates, the next one with rates again",
        async () => {
          const ofLink = (e: SseEvent) =>
            e.event === "interface" && data<InterfaceEvent>(e).device_ip === pair.nsIp &&
            data<InterfaceEvent>(e).interface.index === nsLink.ifindex;
          // Until now every event of the link had rates (a first poll has none and says nothing).
          assert.ok(!ev.events.some((e) => ofLink(e) && data<InterfaceEvent>(e).interface.in_bps === null));
          await agent!.stop();
          agent = await startSnmpd(agentOptions(pair));
          // Its sysUpTime starts again from zero: no rate for that interval, and the stream says so.
          const lost = await ev.waitFor(
            (e) => ofLink(e) && data<InterfaceEvent>(e).interface.in_bps === null,
            25_000,
            "the link without rates after the restart",
          );
          assert.equal(data<InterfaceEvent>(lost).change, "poll");
          assert.equal(data<InterfaceEvent>(lost).interface.in_util_pct, null);
          const lostAt = ev.events.indexOf(lost);
          await ev.waitFor(
            (e) =>
              ev.events.indexOf(e) > lostAt && ofLink(e) && data<InterfaceEvent>(e).interface.in_bps !== null,
            25_000,
            "the link with rates again",
          );
          const veth = (await getJson<DeviceJson>(`/devices/${pair.nsIp}`)).interfaces
            .find((i) => i.index === nsLink.ifindex)!;
          assert.equal(typeof veth.in_bps, "number");
        },
      );

      await step(t, "a linkDown trap marks the interface down; a wrong community is dropped", async () => {
        const ifIndex = nsLink.ifindex;
        // Sent first: when the good traps have arrived, this one has been handled (same socket, in order).
        await pair.exec(linkTrap(`${pair.hostIp}:${TRAP_PORT}`, "wrong-community", LINK_UP, ifIndex));
        await pair.exec(linkTrap(`${pair.hostIp}:${TRAP_PORT}`, COMMUNITY, LINK_DOWN, ifIndex));
        const down = data<InterfaceEvent>(
          await ev.waitFor(
            (e) => e.event === "interface" && data<InterfaceEvent>(e).change === "link_down",
            5_000,
            "interface link_down",
          ),
        );
        assert.equal(down.device_ip, pair.nsIp);
        assert.equal(down.device_name, SYS_NAME);
        assert.equal(down.interface.index, ifIndex);
        assert.equal(down.interface.oper_status, "down");
        // The next poll (10 s) sees the link up again; the trap's state holds until then.
        const dev = await getJson<DeviceJson>(`/devices/${pair.nsIp}`);
        assert.equal(dev.interfaces.find((i) => i.index === ifIndex)!.oper_status, "down");

        const local = await run(linkTrap(`127.0.0.1:${TRAP_PORT}`, COMMUNITY, LINK_DOWN, ifIndex));
        assert.equal(local.code, 0);
        const traps = () => ev.events.filter((e) => e.event === "trap").map((e) => data<TrapEvent>(e));
        await ev.waitFor(
          (e) => e.event === "trap" && data<TrapEvent>(e).source_ip === "127.0.0.1",
          5_000,
          "the trap from 127.0.0.1",
        );
        assert.deepEqual(
          traps().map((x) => [x.source_ip, x.name, x.if_index, x.version]),
          [[pair.nsIp, "linkDown", ifIndex, "v2c"], ["127.0.0.1", "linkDown", ifIndex, "v2c"]],
          "the linkUp with the wrong community is not published",
        );
        // The polled device's trap names its interface as the kernel in the namespace does; 127.0.0.1 is
        // not a polled device, so its trap has only the number.
        assert.deepEqual(traps().map((x) => [x.if_name, x.reason]), [
          [nsLink.ifname, `linkDown from ${pair.nsIp}: interface ${ifIndex} (${nsLink.ifname}) went down`],
          [null, `linkDown from 127.0.0.1: interface ${ifIndex} went down`],
        ]);
        const dropped = await d.waitForLog(
          (r) => /community not accepted/.test(String(r.msg)),
          2_000,
          "the dropped trap's warning",
        );
        assert.equal(dropped.source, pair.nsIp);
        assert.ok(
          !d.lines.some((l) => l.includes("wrong-community") || l.includes(COMMUNITY)),
          "a community, accepted or not, never reaches the log",
        );
        for (const path of ["/stats", "/devices", `/devices/${pair.nsIp}`]) {
          const r = await api("GET", path);
          assert.ok(!JSON.stringify(r.body).includes(COMMUNITY), `GET ${path} does not show the community`);
        }

        const alerts = await getJson<{ alerts: { ip: string; device_ip: string; type: string }[] }>(
          "/alerts?kind=trap",
        );
        assert.deepEqual(
          alerts.alerts.map((a) => [a.ip, a.type]).sort(),
          [["10.231.43.2", "linkDown"], ["127.0.0.1", "linkDown"]],
        );
        const fromLocal = await getJson<{ alerts: { ip: string }[]; total_matched: number }>(
          "/alerts?kind=trap&ip=127.0.0.1",
        );
        assert.equal(fromLocal.total_matched, 1);
      });

      await step(
        t,
        "forged ARP replies raise one security alert, on the device page and in one e-mail",
        async () => {
          // The host stops ARPing for the namespace, so after the forgery the only ARP is what the test sends.
          await run([
            "ip",
            "neigh",
            "replace",
            pair.nsIp,
            "lladdr",
            pair.nsMac,
            "dev",
            pair.hostIf,
            "nud",
            "permanent",
          ]);
          await pair.exec(["ip", "neigh", "flush", "dev", pair.nsIf]);
          await forgeHostIpClaim(pair);
          // Nor does the namespace ARP again: claiming its own address within a minute of the forgery would
          // rightly be a second alert (one MAC claiming two addresses).
          await pair.exec([
            "ip",
            "neigh",
            "replace",
            pair.hostIp,
            "lladdr",
            pair.hostMac,
            "dev",
            pair.nsIf,
            "nud",
            "permanent",
          ]);
          const sse = await ev.waitFor((e) => e.event === "security", 10_000, "a security event");
          const sec = data<SecurityEvent & { id: number }>(sse);
          // The namespace's MAC asked for the host from its own address seconds before it claimed the
          // host's: one MAC claiming two addresses, one of them another live MAC's.
          assert.equal(sec.type, "arp_spoof");
          assert.equal(sec.mac, pair.nsMac);
          assert.equal(sec.ip, pair.hostIp);
          assert.equal(sec.source, "capture");
          assert.ok(sec.explanation.includes(pair.nsMac) && sec.explanation.includes(pair.hostMac));
          assert.equal(String(sec.id), sse.id);
          const logged = await d.waitForLog(
            (r) => r.component === "security" && r.id === sec.id,
            2_000,
            "the security log line",
          );
          assert.equal(logged.type, sec.type);
          assert.equal(logged.mac, pair.nsMac);

          const rows = await getJson<{ alerts: { mac: string; ip: string; type: string; kind: string }[] }>(
            "/alerts?kind=security",
          );
          assert.equal(rows.alerts.length, 1);
          assert.deepEqual(
            [rows.alerts[0].mac, rows.alerts[0].ip, rows.alerts[0].type],
            [pair.nsMac, pair.hostIp, sec.type],
          );
          const page = await getJson<DeviceJson & { alerts: { id: number; type: string }[] }>(
            `/devices/${pair.nsIp}`,
          );
          assert.deepEqual(page.alerts.map((a) => [a.id, a.type]), [[sec.id, sec.type]]);

          const until = Date.now() + 15_000;
          while ((await smtp!.messages()).length === 0) {
            if (Date.now() > until) {
              throw new Error(`no e-mail arrived; the SMTP server said:\n${smtp!.output()}`);
            }
            await new Promise((r) => setTimeout(r, 100));
          }
          // Whatever else was going to be sent for this has been by the time GET /stats says the outbox is empty.
          await waitForEmptyOutbox();
          const mails = await smtp!.messages();
          assert.equal(
            mails.length,
            1,
            `one e-mail, got: ${mails.map((m) => m.headers.subject).join(" | ")}`,
          );
          const [mail] = mails;
          assert.equal(mail.tls, true, "sent after STARTTLS");
          assert.deepEqual(mail.rcpt_tos, [MAIL_TO]);
          assert.ok(mail.text.includes(pair.nsMac), "the mail names the spoofing MAC");
          assert.ok(mail.text.includes(pair.hostMac), "the mail names the MAC that owns the address");
          assert.ok(mail.text.includes(pair.hostIp));

          const ack = await api("POST", `/devices/${pair.nsIp}/ack`);
          assert.equal(ack.status, 200);
          assert.deepEqual(ack.body, { acknowledged: true, mac: pair.nsMac });
        },
      );

      await step(t, "SIGTERM saves the registry; a second daemon knows the device at once", async () => {
        await ev.close();
        const stopped = await d.terminate();
        assert.equal(stopped.code, 0, d.lines.join("\n"));
        const file = JSON.parse(await Deno.readTextFile(`${stateDir}/devices.json`));
        assert.equal(file.schema, 1);
        const saved = (file.devices as DeviceJson[]).find((x) => x.ip === pair.nsIp);
        assert.ok(saved, "devices.json holds the device");
        assert.equal(saved.first_seen, firstSeen);
        assert.equal(saved.name, SYS_NAME);
        assert.ok((await Deno.stat(`${stateDir}/history.db`)).isFile);

        daemon = await startDaemon(daemonEnv(pair, stateDir));
        const sweptYet = daemon.records().some((r) => r.msg === "discovery sweep finished");
        const again = await getJson<DeviceJson>(`/devices/${pair.nsIp}`);
        assert.equal(again.first_seen, firstSeen);
        assert.equal(again.name, SYS_NAME);
        assert.equal(again.type, "server");
        if (sweptYet) console.warn("note: the second daemon's first sweep had already finished");
        const second = await daemon.terminate();
        assert.equal(second.code, 0, daemon.lines.join("\n"));
      });
    } catch (err) {
      if (daemon) console.error(`the daemon said:\n${daemon.lines.join("\n")}`);
      if (agent) console.error(`snmpd said:\n${agent.output()}`);
      if (smtp) console.error(`the SMTP server said:\n${smtp.output()}`);
      throw err;
    } finally {
      await stream?.close();
      await daemon?.kill();
      await agent?.stop();
      await smtp?.stop();
      await pair.destroy();
      await Deno.remove(stateDir, { recursive: true }).catch(() => {});
    }
  },
});

/** Waits until the daemon's alert outbox has nothing pending (GET /stats → alerts.delivery). */
async function waitForEmptyOutbox(): Promise<void> {
  const until = Date.now() + 10_000;
  for (;;) {
    const stats = await getJson<{ alerts: { delivery: { outbox: { pending: number } } } }>("/stats");
    const outbox = stats.alerts.delivery.outbox;
    if (outbox.pending === 0) return;
    if (Date.now() > until) throw new Error(`the outbox still holds messages: ${JSON.stringify(outbox)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A step that stops the test when it fails (the later steps build on it; the catch prints the logs). */
async function step(t: Deno.TestContext, name: string, fn: () => Promise<void>): Promise<void> {
  if (!(await t.step(name, fn))) throw new Error(`step failed: ${name}`);
}
