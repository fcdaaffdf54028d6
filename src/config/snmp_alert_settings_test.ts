import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "./load.ts";

const PROBE = {
  defaultRouteInterface: () => "eth0",
  interfaceIPv4Network: () => "192.0.2.0/24",
  interfaceNames: () => ["eth0"],
  chooseStateDir: () => Promise.resolve("/srv/flintnet-test"),
};
const NO_FILE = { defaultEnvFile: "/nonexistent/flintnet.env" };

function load(env: Record<string, string>) {
  return loadConfig(env, PROBE, NO_FILE);
}

async function refused(env: Record<string, string>, ...fragments: string[]): Promise<string> {
  const err = await load(env).then(() => undefined, (e) => e);
  assert.ok(err instanceof ConfigError, `refused: ${JSON.stringify(env)}`);
  assert.ok(!err.message.includes("\n"), "one line");
  for (const f of fragments) assert.ok(err.message.includes(f), `${JSON.stringify(err.message)} has ${f}`);
  return err.message;
}

Deno.test("loadConfig() reads per-network communities and SNMPv3 users, v3 after v2c", async () => {
  const cfg = await load({
    FLINTNET_SNMP_COMMUNITY: "fallback1",
    FLINTNET_SNMP_COMMUNITIES: "10.1.2.3/16=alpha, 192.168.7.0/24=b@ta",
    FLINTNET_SNMP_V3: "10.9.0.0/16=mon%3Aitor:SHA:authpass1:AES:privpass1,10.8.0.0/24=ro:sha256:authpass2",
    FLINTNET_SNMP_TIMEOUT: "250ms",
    FLINTNET_SNMP_RETRIES: "0",
    FLINTNET_SNMP_PORT: "1161",
    FLINTNET_SNMP_POLL_INTERVAL: "5m",
  });
  assert.deepEqual(cfg.snmp, {
    port: 1161,
    timeoutMs: 250,
    retries: 0,
    pollIntervalS: 300,
    defaultCredentials: { version: "v2c", community: "fallback1" },
    rules: [
      { cidr: "10.1.0.0/16", credentials: { version: "v2c", community: "alpha" } },
      { cidr: "192.168.7.0/24", credentials: { version: "v2c", community: "b@ta" } },
      {
        cidr: "10.9.0.0/16",
        credentials: {
          version: "v3",
          user: "mon:itor",
          authProtocol: "sha",
          authKey: "authpass1",
          privProtocol: "aes",
          privKey: "privpass1",
        },
      },
      {
        cidr: "10.8.0.0/24",
        credentials: {
          version: "v3",
          user: "ro",
          authProtocol: "sha256",
          authKey: "authpass2",
          privProtocol: "none",
          privKey: "",
        },
      },
    ],
  });
});

Deno.test("loadConfig() never echoes a community or an SNMPv3 key it refuses", async () => {
  const m1 = await refused(
    { FLINTNET_SNMP_COMMUNITIES: "10.0.0.0/8=has space" },
    "FLINTNET_SNMP_COMMUNITIES",
  );
  assert.ok(!m1.includes("has space"));
  const m2 = await refused({ FLINTNET_SNMP_V3: "10.0.0.0/8=u:sha:short:aes:privpass1" }, "shorter than 8");
  assert.ok(!m2.includes("short:"));
  await refused({ FLINTNET_SNMP_V3: "10.0.0.0/8=u:sha1x:authpass1:aes:privpass1" }, "not an auth protocol");
  await refused({ FLINTNET_SNMP_TIMEOUT: "2h" }, "FLINTNET_SNMP_TIMEOUT", "50ms");
});

Deno.test("loadConfig() turns the trap listener off with 'off' and reads discovery settings", async () => {
  const cfg = await load({
    FLINTNET_TRAP_LISTEN: "OFF",
    FLINTNET_DISCOVERY_INTERVAL: "0",
    FLINTNET_DISCOVERY_CONCURRENCY: "8",
  });
  assert.equal(cfg.trapListen, null);
  assert.deepEqual(cfg.discovery, { intervalS: 0, concurrency: 8 });
  assert.deepEqual((await load({ FLINTNET_TRAP_LISTEN: "127.0.0.1:10162" })).trapListen, {
    hostname: "127.0.0.1",
    port: 10162,
  });
});

Deno.test("loadConfig() reads SMTP settings and refuses an SMTP host without recipients", async () => {
  const cfg = await load({
    FLINTNET_SMTP_HOST: "mail.example.net",
    FLINTNET_SMTP_TO: "noc@example.net, ops@example.net",
    FLINTNET_SMTP_USER: "flint",
    FLINTNET_SMTP_PASS: "pa ss,word",
    FLINTNET_SMTP_STARTTLS: "0",
    FLINTNET_SMTP_FROM: "alerts@example.net",
  });
  assert.deepEqual(cfg.alerts.smtp, {
    host: "mail.example.net",
    port: 587,
    user: "flint",
    pass: "pa ss,word",
    from: "alerts@example.net",
    to: ["noc@example.net", "ops@example.net"],
    starttls: false,
    tlsRejectUnauthorized: true,
  });
  await refused({ FLINTNET_SMTP_HOST: "mail.example.net" }, "FLINTNET_SMTP_TO is not");
  await refused(
    { FLINTNET_SMTP_HOST: "m", FLINTNET_SMTP_TO: "a@b", FLINTNET_SMTP_USER: "u" },
    "FLINTNET_SMTP_PASS",
  );
  await refused({ FLINTNET_SMTP_TO: "not-an-address" }, "not an e-mail address");
});

Deno.test("loadConfig() reads webhook URLs and alert thresholds without echoing a refused URL", async () => {
  const cfg = await load({
    FLINTNET_WEBHOOK_URLS: "https://hooks.slack.com/services/T0/B0/XYZ,http://127.0.0.1:9/hook",
    FLINTNET_ARP_ALLOW_MACS: "00-11-22-33-44-55,AA:BB:CC:DD:EE:FF",
    FLINTNET_LEARNING_PERIOD: "2h",
    FLINTNET_ALERT_COOLDOWN: "0",
    FLINTNET_HISTORY_DAYS: "7",
    FLINTNET_PUBLIC_URL: "https://flintnet.lan:8480/",
  });
  assert.deepEqual(cfg.alerts.webhookUrls, [
    "https://hooks.slack.com/services/T0/B0/XYZ",
    "http://127.0.0.1:9/hook",
  ]);
  assert.deepEqual(cfg.arp.allowMacs, ["00:11:22:33:44:55", "aa:bb:cc:dd:ee:ff"]);
  assert.equal(cfg.arp.learningPeriodS, 7200);
  assert.equal(cfg.alerts.cooldownS, 0);
  assert.equal(cfg.alerts.historyDays, 7);
  assert.equal(cfg.alerts.publicUrl, "https://flintnet.lan:8480");
  const m = await refused({ FLINTNET_WEBHOOK_URLS: "ftp://secret-token@x" }, "FLINTNET_WEBHOOK_URLS");
  assert.ok(!m.includes("secret-token"));
});
