/**
 * The sinks against the real servers, as Debian packages them: clickhouse-server (18.16), influxdb
 * (1.6) and prometheus (2.42). The truth is what the test itself sent: UDP datagrams of known sizes on
 * lo from a port of its own (each IPv4 packet's total length, as flows count bytes), and an snmptrap
 * command line. What arrives is read back with each server's own query language.
 */
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { type Daemon, loopbackEnv, startDaemon } from "./helpers/daemon.ts";
import { freePort } from "./helpers/ports.ts";
import type { InterfaceEvent } from "../src/events/mod.ts";
import { InfluxTransport, interfaceLine } from "../src/sinks/influx.ts";
import { freeUdpPort } from "./helpers/nfcapd.ts";
import {
  sinkServersUnavailable,
  startClickhouse,
  startInfluxdb,
  startPrometheus,
} from "./helpers/sink_servers.ts";

const CI = Deno.env.get("CI") === "true";
const missing = await sinkServersUnavailable() ??
  await Deno.stat("/usr/bin/snmptrap").then(() => null, () => "snmptrap is missing: apt-get install snmp");
const TOKEN = "sinks-test-token-0123456789abcdef";
const CH_PASSWORD = "ch-secret-never-logged";

const t = (name: string, fn: () => Promise<void>) =>
  Deno.test({
    name,
    ignore: missing !== null && !CI,
    async fn() {
      if (missing) throw new Error(missing);
      await fn();
    },
  });

/** Sends `count` UDP datagrams of `size` payload bytes from a port of its own to 127.0.0.1:`port`. */
async function sendUdp(port: number, count: number, size: number): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
  const src = s.address().port;
  for (let i = 0; i < count; i++) {
    await new Promise<void>((r, j) =>
      s.send(new Uint8Array(size).fill(i), port, "127.0.0.1", (e) => e ? j(e) : r())
    );
  }
  s.close();
  return src;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function env(dir: string, http: number): Record<string, string> {
  return {
    ...loopbackEnv(dir, http),
    FLINTNET_API_TOKEN: TOKEN,
    FLINTNET_SITE: "test-site",
    FLINTNET_SINK_INTERVAL: "1",
    FLINTNET_ANOMALY_INTERVAL: "1",
  };
}

async function metrics(http: number): Promise<string> {
  return await (await fetch(`http://127.0.0.1:${http}/metrics`, {
    headers: { Authorization: `Bearer ${TOKEN}` },
  })).text();
}

t(
  "flows per minute and events reach ClickHouse, capture and host series reach InfluxDB, labelled with the site",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "flintnet-sinks-" });
    const [http, trapPort, dstPort] = [freePort(), await freeUdpPort(), await freeUdpPort()];
    const ch = await startClickhouse(freePort(), freePort(), CH_PASSWORD);
    const influx = await startInfluxdb(freePort(), freePort());
    let daemon: Daemon | undefined;
    try {
      await influx.query("", "CREATE DATABASE flintnet");
      daemon = await startDaemon({
        ...env(dir, http),
        FLINTNET_TRAP_LISTEN: `127.0.0.1:${trapPort}`,
        FLINTNET_SNMP_COMMUNITY: "sinks-community",
        FLINTNET_CLICKHOUSE_URL: ch.url,
        FLINTNET_CLICKHOUSE_USER: "flintnet",
        FLINTNET_CLICKHOUSE_PASSWORD: CH_PASSWORD,
        FLINTNET_INFLUX_URL: influx.url,
      });
      const [count, size] = [25, 100];
      const srcPort = await sendUdp(dstPort, count, size);
      const trap = await new Deno.Command("/usr/bin/snmptrap", {
        args: ["-v", "2c", "-c", "sinks-community", `127.0.0.1:${trapPort}`, "", "1.3.6.1.6.3.1.1.5.3"],
      }).output();
      assert.ok(trap.success);
      // Capture series every second; the trap as an event row once the next batch goes.
      await until("capture series in InfluxDB", async () => {
        const r = await influx.query(
          "flintnet",
          `SELECT last(frames) FROM flintnet_capture WHERE site='test-site' AND interface='lo'`,
        );
        const v = (r as { results: { series?: { values: [number, number][] }[] }[] }).results[0].series?.[0]
          .values[0][1];
        return typeof v === "number" && v > 0 ? v : undefined;
      });
      const events = await until("the trap in ClickHouse", async () => {
        const text = await ch.query(
          `SELECT kind, type, subject, json FROM flintnet.events WHERE site = 'test-site' FORMAT JSONEachRow`,
        );
        return text.trim() ? text.trim().split("\n").map((l) => JSON.parse(l)) : undefined;
      });
      const trapRow = events.find((e: Record<string, string>) => e.kind === "trap");
      assert.ok(trapRow, JSON.stringify(events));
      assert.equal(trapRow.subject, "127.0.0.1");
      assert.equal(JSON.parse(trapRow.json).trap_oid, "1.3.6.1.6.3.1.1.5.3", "linkDown, as snmptrap sent it");
      // Stopping hands over the minute in progress: the flow of this test's datagrams arrives whole.
      assert.equal((await daemon.terminate()).code, 0);
      const flow = (await ch.query(
        `SELECT sum(bytes) AS bytes, sum(packets) AS packets, any(protocol) AS protocol FROM flintnet.flows_minute ` +
          `WHERE site = 'test-site' AND src_port = ${srcPort} AND dst_port = ${dstPort} FORMAT JSONEachRow`,
      )).trim();
      // IPv4 total length: 20 (header) + 8 (UDP) + payload. (UInt64 comes back quoted in JSON.)
      assert.deepEqual(JSON.parse(flow), {
        bytes: String(count * (28 + size)),
        packets: String(count),
        protocol: 17,
      });
      const host = await influx.query(
        "flintnet",
        `SELECT sum(bytes_sent) FROM flintnet_host WHERE site='test-site' AND host='127.0.0.1'`,
      );
      const sent = (host as { results: { series?: { values: [number, number][] }[] }[] }).results[0].series
        ?.[0].values[0][1];
      assert.ok(
        typeof sent === "number" && sent >= count * (28 + size),
        `per-host bytes: ${JSON.stringify(host)}`,
      );
      assert.ok(
        !daemon.lines.some((l) => l.includes(CH_PASSWORD)),
        "the ClickHouse password is never logged",
      );
    } catch (err) {
      console.error(`--- clickhouse ---\n${ch.output()}\n--- influxd ---\n${influx.output()}`);
      throw err;
    } finally {
      await daemon?.kill();
      await ch.stop();
      await influx.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
);

t("with ClickHouse down, batches wait on disk and are counted; once it is up they arrive", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-sinks-down-" });
  const [http, chHttp, chTcp, trapPort] = [freePort(), freePort(), freePort(), await freeUdpPort()];
  const daemon = await startDaemon({
    ...env(dir, http),
    FLINTNET_TRAP_LISTEN: `127.0.0.1:${trapPort}`,
    FLINTNET_SNMP_COMMUNITY: "sinks-community",
    FLINTNET_CLICKHOUSE_URL: `http://127.0.0.1:${chHttp}`,
  });
  let ch: Awaited<ReturnType<typeof startClickhouse>> | undefined;
  try {
    await new Deno.Command("/usr/bin/snmptrap", {
      args: ["-v", "2c", "-c", "sinks-community", `127.0.0.1:${trapPort}`, "", "1.3.6.1.6.3.1.1.5.1"],
    }).output();
    await until("a failed send counted", async () => {
      const m = await metrics(http);
      return /^flintnet_sink_failures_total\{sink="clickhouse_events"\} [1-9]/m.test(m) &&
          /^flintnet_sink_buffered_batches\{sink="clickhouse_events"\} [1-9]/m.test(m)
        ? true
        : undefined;
    });
    let files = 0;
    for await (const e of Deno.readDir(`${dir}/sinks/clickhouse_events`)) {
      if (e.name.endsWith(".batch")) files++;
    }
    assert.ok(files > 0, "the batch waits on disk");
    ch = await startClickhouse(chHttp, chTcp, CH_PASSWORD);
    // The next try comes after the back-off (2 s, 4 s, … for a 1 s interval); the stop makes one last try.
    assert.equal((await daemon.terminate()).code, 0);
    const rows = (await ch.query("SELECT count() FROM flintnet.events WHERE kind = 'trap'")).trim();
    assert.equal(rows, "1");
  } finally {
    await daemon.kill();
    await ch?.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

t(
  "Prometheus scrapes /metrics with the token as a bearer credential, and is refused without the right one",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "flintnet-prometheus-" });
    const http = freePort();
    const daemon = await startDaemon(env(dir, http));
    const good = await startPrometheus(freePort(), `127.0.0.1:${http}`, TOKEN);
    const bad = await startPrometheus(freePort(), `127.0.0.1:${http}`, "not-the-token-0123456789abcdef");
    try {
      const series = await until("flintnet_flows_capacity in Prometheus", async () => {
        const r = await good.query('flintnet_flows_capacity{site="test-site"}');
        return r.length > 0 ? r : undefined;
      });
      assert.equal(series[0].metric.job, "flintnet");
      assert.ok(Number(series[0].value[1]) > 0);
      const refused = await until("the other scrape to fail", async () => {
        const [target] = await bad.targets();
        return target?.health === "down" ? target : undefined;
      });
      assert.match(refused.lastError, /401/);
    } catch (err) {
      console.error(`--- prometheus ---\n${good.output()}\n--- prometheus (bad token) ---\n${bad.output()}`);
      throw err;
    } finally {
      await good.stop();
      await bad.stop();
      await daemon.kill();
      await Deno.remove(dir, { recursive: true });
    }
  },
);

t(
  "an interface's series keep their field types in InfluxDB whatever the figures: 12.5 %, an idle 0 %, then 0.001 %",
  async () => {
    const influx = await startInfluxdb(freePort(), freePort());
    try {
      await influx.query("", "CREATE DATABASE flintnet");
      const transport = new InfluxTransport({
        url: influx.url,
        database: "flintnet",
        user: null,
        secret: null,
      });
      const polls: [string, number, number][] = [
        ["2026-01-01T00:00:00Z", 125_000_000, 12.5],
        ["2026-01-01T00:01:00Z", 0, 0], // written "0i" before: a field type conflict, and the batch refused
        ["2026-01-01T00:02:00Z", 10_000, 0.001],
      ];
      for (const [ts, bps, pct] of polls) {
        const event: InterfaceEvent = {
          kind: "interface",
          ts,
          device_ip: "192.0.2.1",
          device_name: "sw-core",
          change: "poll",
          interface: {
            index: 1,
            name: "Gi0/1",
            alias: "",
            type: "ethernetCsmacd",
            speed_bps: 1_000_000_000,
            oper_status: "up",
            admin_status: "up",
            in_util_pct: pct,
            out_util_pct: pct,
            in_bps: bps,
            out_bps: bps,
            in_errors_per_s: 0,
            out_errors_per_s: 0,
            in_discards_per_s: 0,
            counters: "hc64",
          },
        };
        const body = new TextEncoder().encode(`${interfaceLine("test-site", event)}\n`);
        await transport.send(body, AbortSignal.timeout(10_000)); // throws RefusedBatch on a 400
      }
      const r = await influx.query(
        "flintnet",
        `SELECT in_bps, in_util_pct FROM flintnet_interface WHERE site='test-site' AND interface='Gi0/1'`,
      );
      const values = (r as { results: { series?: { values: [string, number, number][] }[] }[] }).results[0]
        .series?.[0].values;
      assert.deepEqual(values?.map(([, bps, pct]) => [bps, pct]), polls.map(([, bps, pct]) => [bps, pct]));
    } catch (err) {
      console.error(`--- influxd ---\n${influx.output()}`);
      throw err;
    } finally {
      await influx.stop();
    }
  },
);
