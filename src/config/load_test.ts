import assert from "node:assert/strict";
import {
  closestSetting,
  ConfigError,
  describeSettings,
  loadConfig,
  type LoadConfigOptions,
  loadDetectorConfig,
  readEnvFile,
} from "./load.ts";
import type { SystemProbe } from "./system_probe.ts";

/** A fake machine: eth0 on 192.0.2.0/24 is the default route; state goes to /srv/flintnet-test. */
const PROBE: SystemProbe = {
  defaultRouteInterface: () => "eth0",
  interfaceIPv4Network: (name) => name === "eth0" ? "192.0.2.0/24" : undefined,
  interfaceNames: () => ["eth0", "lo"],
  chooseStateDir: () => Promise.resolve("/srv/flintnet-test"),
};

/** Never read the machine's /etc/flintnet/flintnet.env. */
const NO_FILE: LoadConfigOptions = { defaultEnvFile: "/nonexistent/flintnet.env" };

function load(env: Record<string, string | undefined>, probe: Partial<SystemProbe> = PROBE) {
  return loadConfig(env, probe, NO_FILE);
}

/** Asserts loading rejects with a one-line ConfigError containing every fragment. */
async function rejects(env: Record<string, string>, ...fragments: string[]): Promise<string> {
  let message = "";
  await assert.rejects(load(env), (err: unknown) => {
    assert.ok(err instanceof ConfigError, `not a ConfigError: ${err}`);
    message = err.message;
    assert.ok(!message.includes("\n"), `one line: ${message}`);
    for (const f of fragments) {
      assert.ok(message.includes(f), `${JSON.stringify(f)} missing from: ${message}`);
    }
    return true;
  });
  return message;
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-config-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("loadConfig() with an empty environment uses the documented defaults and the probed machine", async () => {
  const cfg = await load({});
  assert.deepEqual(cfg, {
    interfaces: ["eth0"],
    interfaceWait: false,
    cidrs: ["192.0.2.0/24"],
    listen: { hostname: "0.0.0.0", port: 8480 },
    http: { readTimeoutS: 10, idleTimeoutS: 30, maxConnections: 512, maxConnectionsPerAddress: 32 },
    corsOrigins: [],
    metricsPublic: false,
    stateDir: "/srv/flintnet-test",
    logLevel: "info",
    maxFlows: 1000000,
    bpf: "",
    libpcap: "libpcap.so.0.8",
    snaplen: 256,
    ringMb: 64,
    ringStartMb: 4,
    flowIdleTimeoutS: 120,
    flowActiveTimeoutS: 1800,
    anomaly: {
      intervalS: 10,
      alpha: 0.1,
      k: 4,
      ratio: 4,
      minBytes: 1000000,
      warmupIntervals: 30,
      storeSize: 10000,
    },
    arp: { learningPeriodS: 86400, allowMacs: [], windowS: 60 },
    visibility: {
      retransRate: 0.05,
      retransMinSegments: 50,
      dnsHistory: 100,
      dnsHosts: 4096,
      blocklists: [],
      blocklistReloadS: 60,
      attackScore: 0.7,
      attackSynMin: 100,
    },
    recording: {
      auto: false,
      seconds: 60,
      preSeconds: 10,
      ringMb: 32,
      bps: 0,
      cooldownS: 600,
      maxFileMb: 100,
      maxTotalMb: 1000,
      maxCount: 50,
    },
    snmp: {
      port: 161,
      timeoutMs: 1000,
      retries: 1,
      pollIntervalS: 60,
      defaultCredentials: { version: "v2c", community: "public" },
      rules: [],
    },
    discovery: { intervalS: 3600, concurrency: 64 },
    trapListen: { hostname: "0.0.0.0", port: 162 },
    traps: { perSourcePerMinute: 60, totalPerMinute: 600, maxVarbinds: 64, maxValueBytes: 1024 },
    alerts: {
      historyDays: 30,
      historyMaxAlerts: 250000,
      historyMaxMb: 256,
      cooldownS: 300,
      smtp: null,
      webhookUrls: [],
      publicUrl: null,
    },
    topology: { agePolls: 3 },
    netflow: {
      netflowListen: { hostname: "0.0.0.0", port: 2055 },
      ipfixListen: { hostname: "0.0.0.0", port: 4739 },
      sflowListen: { hostname: "0.0.0.0", port: 6343 },
      bufferMb: 32,
      sampling: [],
    },
    analysis: {
      scan: { ports: 500, hosts: 100 },
      scanWindowMinutes: 15,
      dnsQueriesPerMinute: 1000,
      topTalkerShare: 0.5,
      topTalkerMinBytes: 60_000_000,
      changeMinBytes: 1_000_000,
      flowRetentionS: 72 * 3600,
      historyFlowsPerMinute: 20_000,
      historyMaxMb: 2048,
    },
    // Sinks are off until a URL is set; the site label is the host name.
    sinks: {
      site: Deno.hostname().replace(/[^A-Za-z0-9._-]/g, "-"),
      clickhouse: null,
      influx: null,
      intervalS: 10,
      bufferBytes: 64 * 1024 * 1024,
      flowsPerMinute: 10_000,
    },
    envFile: undefined,
    unknownVariables: [],
  });
});

Deno.test("loadConfig() treats an empty or blank value as the default", async () => {
  const cfg = await load({ FLINTNET_MAX_FLOWS: "", FLINTNET_LISTEN: "  ", FLINTNET_INTERFACE: "" });
  assert.equal(cfg.maxFlows, 1000000);
  assert.deepEqual(cfg.listen, { hostname: "0.0.0.0", port: 8480 });
  assert.deepEqual(cfg.interfaces, ["eth0"]);
});

Deno.test("loadConfig() parses every setting from the environment", async () => {
  const cfg = await load({
    FLINTNET_INTERFACE: "eth1, br-lan",
    FLINTNET_CIDR: "10.1.2.3/16,192.168.7.0/24",
    FLINTNET_LISTEN: "127.0.0.1:9000",
    FLINTNET_API_TOKEN: "0123456789abcdefXYZ",
    FLINTNET_STATE_DIR: "/var/tmp/flint/",
    FLINTNET_LOG_LEVEL: "DEBUG",
    FLINTNET_MAX_FLOWS: "2_000_000",
    FLINTNET_BPF: "not port 22",
    FLINTNET_SNAPLEN: "1500",
    FLINTNET_CAPTURE_RING_MB: "256",
    FLINTNET_FLOW_IDLE_TIMEOUT: "90s",
    FLINTNET_FLOW_ACTIVE_TIMEOUT: "1h",
    FLINTNET_ANOMALY_INTERVAL: "1m",
    FLINTNET_EWMA_ALPHA: "0.25",
    FLINTNET_ANOMALY_K: "3.5",
    FLINTNET_ANOMALY_RATIO: "2.5",
    FLINTNET_ANOMALY_MIN_BYTES: "0",
    FLINTNET_ANOMALY_WARMUP: "5",
    FLINTNET_ANOMALY_STORE_SIZE: "500",
  });
  assert.deepEqual(cfg.interfaces, ["eth1", "br-lan"]);
  assert.deepEqual(cfg.cidrs, ["10.1.0.0/16", "192.168.7.0/24"]);
  assert.deepEqual(cfg.listen, { hostname: "127.0.0.1", port: 9000 });
  assert.equal(cfg.apiToken, "0123456789abcdefXYZ");
  assert.equal(cfg.stateDir, "/var/tmp/flint");
  assert.equal(cfg.logLevel, "debug");
  assert.equal(cfg.maxFlows, 2000000);
  assert.equal(cfg.bpf, "not port 22");
  assert.equal(cfg.snaplen, 1500);
  assert.equal(cfg.ringMb, 256);
  assert.equal(cfg.flowIdleTimeoutS, 90);
  assert.equal(cfg.flowActiveTimeoutS, 3600);
  assert.deepEqual(cfg.anomaly, {
    intervalS: 60,
    alpha: 0.25,
    k: 3.5,
    ratio: 2.5,
    minBytes: 0,
    warmupIntervals: 5,
    storeSize: 500,
  });
});

Deno.test("loadConfig() does not probe the machine for settings that are given", async () => {
  const refuse = () => {
    throw new Error("probed");
  };
  const cfg = await load(
    { FLINTNET_INTERFACE: "eth3", FLINTNET_CIDR: "198.51.100.0/24", FLINTNET_STATE_DIR: "/x" },
    { defaultRouteInterface: refuse, interfaceIPv4Network: refuse, chooseStateDir: refuse },
  );
  assert.deepEqual([cfg.interfaces, cfg.cidrs, cfg.stateDir], [["eth3"], ["198.51.100.0/24"], "/x"]);
});

Deno.test("loadConfig() without a default route lists the interfaces to choose from", async () => {
  await assert.rejects(
    load({}, { ...PROBE, defaultRouteInterface: () => undefined }),
    new ConfigError(
      "no default route to pick an interface from: set FLINTNET_INTERFACE to one of: eth0, lo",
      "FLINTNET_INTERFACE",
    ),
  );
});

Deno.test("loadConfig() leaves cidrs empty when the interface has no IPv4 address", async () => {
  const cfg = await load({ FLINTNET_INTERFACE: "wlan9" });
  assert.deepEqual(cfg.cidrs, []);
});

Deno.test("loadConfig() reports a state directory that cannot be chosen as a ConfigError", async () => {
  const probe = { ...PROBE, chooseStateDir: () => Promise.reject(new Error("no usable state directory")) };
  await assert.rejects(
    load({}, probe),
    (e: unknown) => e instanceof ConfigError && /no usable/.test(e.message),
  );
});

Deno.test("loadConfig() reads the env file and lets the environment override it", async () => {
  await withTempDir(async (dir) => {
    const file = `${dir}/flintnet.env`;
    await Deno.writeTextFile(
      file,
      [
        "# Flintnet settings",
        "FLINTNET_INTERFACE=eth7",
        'FLINTNET_BPF="not port 22"',
        "FLINTNET_MAX_FLOWS=5000",
        "export FLINTNET_SNAPLEN=512",
        "FLINTNET_LOG_LEVEL=warn",
        "",
      ].join("\n"),
    );
    const cfg = await load({ FLINTNET_ENV_FILE: file, FLINTNET_MAX_FLOWS: "7000", FLINTNET_LOG_LEVEL: "" });
    assert.equal(cfg.envFile, file);
    assert.deepEqual(cfg.interfaces, ["eth7"]);
    assert.equal(cfg.bpf, "not port 22");
    assert.equal(cfg.snaplen, 512);
    assert.equal(cfg.maxFlows, 7000, "environment wins over the file");
    assert.equal(cfg.logLevel, "info", "an empty environment value means the default, even over the file");
  });
});

Deno.test("loadConfig() reads the default env file only when it exists", async () => {
  await withTempDir(async (dir) => {
    const file = `${dir}/flintnet.env`;
    await Deno.writeTextFile(file, "FLINTNET_SNAPLEN=128\n");
    const cfg = await loadConfig({}, PROBE, { defaultEnvFile: file });
    assert.equal(cfg.snaplen, 128);
    assert.equal(cfg.envFile, file);
  });
});

Deno.test("loadConfig() refuses an explicitly named env file that does not exist", async () => {
  await rejects(
    { FLINTNET_ENV_FILE: "/nonexistent/x.env" },
    "FLINTNET_ENV_FILE",
    '"/nonexistent/x.env"',
    "exist",
  );
});

Deno.test("loadConfig() validates values that come from the env file", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/f.env`, "FLINTNET_SNAPLEN=10\n");
    await rejects({ FLINTNET_ENV_FILE: `${dir}/f.env` }, 'FLINTNET_SNAPLEN="10"', "64 to 65535");
  });
});

Deno.test("readEnvFile() parses quotes, comments and export, and names a missing file", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/a.env`, "A=1\n# B=2\nC='x y'\nexport D=\"q\"\n");
    assert.deepEqual(readEnvFile(`${dir}/a.env`), { A: "1", C: "x y", D: "q" });
    assert.throws(
      () => readEnvFile(`${dir}/none.env`),
      (e: unknown) => e instanceof ConfigError && /none\.env/.test(e.message),
    );
  });
});

Deno.test("loadConfig() reports unknown FLINTNET_ variables from the environment and the file", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/f.env`, "FLINTNET_SNAPLENN=100\nOTHER=1\n");
    const cfg = await load({ FLINTNET_ENV_FILE: `${dir}/f.env`, FLINTNET_INTERFCE: "eth1", PATH: "/bin" });
    assert.deepEqual(cfg.unknownVariables, ["FLINTNET_INTERFCE", "FLINTNET_SNAPLENN"]);
  });
});

Deno.test("integer settings name the variable, the value and the range", async () => {
  const msg = await rejects({ FLINTNET_MAX_FLOWS: "abc" });
  assert.equal(msg, 'FLINTNET_MAX_FLOWS="abc" is not valid: expected a whole number from 1000 to 50000000');
  await rejects({ FLINTNET_MAX_FLOWS: "999" }, 'FLINTNET_MAX_FLOWS="999"', "1000 to 50000000");
  await rejects({ FLINTNET_MAX_FLOWS: "1e6" }, 'FLINTNET_MAX_FLOWS="1e6"');
  await rejects({ FLINTNET_MAX_FLOWS: "-5000" }, 'FLINTNET_MAX_FLOWS="-5000"');
  await rejects({ FLINTNET_MAX_FLOWS: "1__000" }, 'FLINTNET_MAX_FLOWS="1__000"');
  await rejects({ FLINTNET_CAPTURE_RING_MB: "4096" }, 'FLINTNET_CAPTURE_RING_MB="4096"', "2 to 2048");
  await rejects({ FLINTNET_ANOMALY_MIN_BYTES: "1.5" }, 'FLINTNET_ANOMALY_MIN_BYTES="1.5"', "0 or more");
});

Deno.test("number settings name the variable, the value and the bounds", async () => {
  await rejects({ FLINTNET_EWMA_ALPHA: "0" }, 'FLINTNET_EWMA_ALPHA="0"', "greater than 0 and at most 1");
  await rejects({ FLINTNET_EWMA_ALPHA: "1.01" }, 'FLINTNET_EWMA_ALPHA="1.01"');
  await rejects({ FLINTNET_ANOMALY_K: "NaN" }, 'FLINTNET_ANOMALY_K="NaN"', "at most 100");
  // A ratio of 1 or less would call every interval above the baseline large.
  await rejects({ FLINTNET_ANOMALY_RATIO: "1" }, 'FLINTNET_ANOMALY_RATIO="1"', "a number from 1.5 to 1000");
  await rejects({ FLINTNET_ANOMALY_RATIO: "4x" }, 'FLINTNET_ANOMALY_RATIO="4x"', "a number from 1.5 to 1000");
  assert.equal((await load({ FLINTNET_ANOMALY_RATIO: "1.5" })).anomaly.ratio, 1.5);
  assert.equal((await load({ FLINTNET_EWMA_ALPHA: "1" })).anomaly.alpha, 1);
  assert.equal((await load({ FLINTNET_EWMA_ALPHA: ".5" })).anomaly.alpha, 0.5);
});

Deno.test("durations accept seconds and s, m, h suffixes", async () => {
  const cases: [string, number][] = [["45", 45], ["90s", 90], ["5m", 300], ["1h", 3600], ["24h", 86400]];
  for (const [text, seconds] of cases) {
    assert.equal((await load({ FLINTNET_FLOW_IDLE_TIMEOUT: text })).flowIdleTimeoutS, seconds, text);
  }
  await rejects({ FLINTNET_FLOW_IDLE_TIMEOUT: "25h" }, 'FLINTNET_FLOW_IDLE_TIMEOUT="25h"', "from 1s to 24h");
  await rejects({ FLINTNET_FLOW_IDLE_TIMEOUT: "1.5m" }, 'FLINTNET_FLOW_IDLE_TIMEOUT="1.5m"', "90s, 5m, 1h");
  await rejects({ FLINTNET_FLOW_IDLE_TIMEOUT: "0s" }, 'FLINTNET_FLOW_IDLE_TIMEOUT="0s"');
  await rejects({ FLINTNET_ANOMALY_INTERVAL: "2d" }, 'FLINTNET_ANOMALY_INTERVAL="2d"');
});

Deno.test("the default active timeout follows a longer idle timeout", async () => {
  const cfg = await load({ FLINTNET_FLOW_IDLE_TIMEOUT: "1h" });
  assert.deepEqual([cfg.flowIdleTimeoutS, cfg.flowActiveTimeoutS], [3600, 3600]);
});

Deno.test("an explicit active timeout must not be shorter than the idle timeout", async () => {
  await rejects(
    { FLINTNET_FLOW_IDLE_TIMEOUT: "10m", FLINTNET_FLOW_ACTIVE_TIMEOUT: "5m" },
    "FLINTNET_FLOW_ACTIVE_TIMEOUT (5m)",
    "FLINTNET_FLOW_IDLE_TIMEOUT (10m)",
    "at least 10m",
  );
});

Deno.test("the log level must be one of the listed levels", async () => {
  await rejects(
    { FLINTNET_LOG_LEVEL: "verbose" },
    'FLINTNET_LOG_LEVEL="verbose"',
    "one of debug, info, warn, error",
  );
});

Deno.test("interface lists refuse bad names and duplicates", async () => {
  await rejects(
    { FLINTNET_INTERFACE: "eth0,eth0" },
    'FLINTNET_INTERFACE="eth0,eth0"',
    "eth0 is listed twice",
  );
  await rejects({ FLINTNET_INTERFACE: "a-very-long-name0" }, "FLINTNET_INTERFACE", "1 to 15");
  await rejects({ FLINTNET_INTERFACE: "eth0,eth/1" }, '"eth/1" is not an interface name');
  await rejects({ FLINTNET_INTERFACE: ",," }, 'FLINTNET_INTERFACE=",,"');
  assert.deepEqual((await load({ FLINTNET_INTERFACE: "eth0.100,vlan@x," })).interfaces, [
    "eth0.100",
    "vlan@x",
  ]);
});

Deno.test("CIDRs are normalised to their network and malformed ones refused", async () => {
  const cfg = await load({ FLINTNET_CIDR: "192.0.2.77/24, 10.9.8.7/8, 203.0.113.5/32" });
  assert.deepEqual(cfg.cidrs, ["192.0.2.0/24", "10.0.0.0/8", "203.0.113.5/32"]);
  await rejects({ FLINTNET_CIDR: "192.0.2.0/24,192.0.2.9/24" }, '"192.0.2.9/24" repeats 192.0.2.0/24');
  await rejects({ FLINTNET_CIDR: "0.0.0.0/0" }, 'FLINTNET_CIDR="0.0.0.0/0"', "/0", "n from 8 to 32");
  await rejects({ FLINTNET_CIDR: "10.0.0.0/33" }, "/33");
  await rejects({ FLINTNET_CIDR: "300.1.1.1/24" }, '"300.1.1.1/24" is not an IPv4 network');
  await rejects({ FLINTNET_CIDR: "010.1.1.1/24" }, '"010.1.1.1/24" is not an IPv4 network');
  await rejects({ FLINTNET_CIDR: "192.0.2.1" }, "a.b.c.d/n");
});

Deno.test("listen accepts host:port, [v6]:port, :port and port", async () => {
  const cases: [string, { hostname: string; port: number }][] = [
    ["127.0.0.1:8080", { hostname: "127.0.0.1", port: 8080 }],
    ["localhost:80", { hostname: "localhost", port: 80 }],
    ["[::1]:8480", { hostname: "::1", port: 8480 }],
    ["[::]:443", { hostname: "::", port: 443 }],
    [":9000", { hostname: "0.0.0.0", port: 9000 }],
    ["65535", { hostname: "0.0.0.0", port: 65535 }],
  ];
  for (const [text, want] of cases) {
    assert.deepEqual((await load({ FLINTNET_LISTEN: text })).listen, want, text);
  }
  await rejects({ FLINTNET_LISTEN: "0.0.0.0:0" }, 'FLINTNET_LISTEN="0.0.0.0:0"', "port from 1 to 65535");
  await rejects({ FLINTNET_LISTEN: ":70000" }, 'FLINTNET_LISTEN=":70000"');
  await rejects({ FLINTNET_LISTEN: "::1:8480" }, "brackets");
  await rejects({ FLINTNET_LISTEN: "localhost" }, 'FLINTNET_LISTEN="localhost"');
  await rejects({ FLINTNET_LISTEN: "999.1.1.1:80" }, '"999.1.1.1" is not an IPv4 address');
  await rejects({ FLINTNET_LISTEN: "[zz]:80" }, "[zz] is not an IPv6 address");
});

Deno.test("a bad API token is reported by its length, never its value", async () => {
  for (const token of ["short-hunter2", "hunter2 hunter3 hunter4"]) {
    const msg = await rejects(
      { FLINTNET_API_TOKEN: token },
      "FLINTNET_API_TOKEN",
      `(${token.length} characters)`,
    );
    assert.ok(!msg.includes(token), msg);
    for (const word of token.split(/[\s-]/)) assert.ok(!msg.includes(word), `${word} leaked: ${msg}`);
  }
});

Deno.test("the state directory must be an absolute path", async () => {
  await rejects({ FLINTNET_STATE_DIR: "state" }, 'FLINTNET_STATE_DIR="state"', "an absolute path");
});

Deno.test("the capture filter refuses control characters but keeps line breaks", async () => {
  const msg = await rejects({ FLINTNET_BPF: "tcp\u0007" }, "FLINTNET_BPF", "control characters");
  assert.ok(msg.includes('"tcp\\u0007"'), `value escaped in one line: ${msg}`);
  assert.equal((await load({ FLINTNET_BPF: "tcp\nand port 80" })).bpf, "tcp\nand port 80");
});

Deno.test("loadDetectorConfig() reads only detector settings and never probes", () => {
  const cfg = loadDetectorConfig(
    {
      FLINTNET_ANOMALY_K: "6",
      FLINTNET_LEARNING_PERIOD: "90s",
      FLINTNET_LISTEN: "not valid at all",
      FLINTNET_INTERFACE: "eth0,eth0",
    },
    NO_FILE,
  );
  assert.deepEqual(cfg, {
    logLevel: "info",
    maxFlows: 1000000,
    flowIdleTimeoutS: 120,
    flowActiveTimeoutS: 1800,
    anomaly: {
      intervalS: 10,
      alpha: 0.1,
      k: 6,
      ratio: 4,
      minBytes: 1000000,
      warmupIntervals: 30,
      storeSize: 10000,
    },
    arp: { learningPeriodS: 90, allowMacs: [], windowS: 60 },
    visibility: {
      retransRate: 0.05,
      retransMinSegments: 50,
      dnsHistory: 100,
      dnsHosts: 4096,
      blocklists: [],
      blocklistReloadS: 60,
      attackScore: 0.7,
      attackSynMin: 100,
    },
    recording: {
      auto: false,
      seconds: 60,
      preSeconds: 10,
      ringMb: 32,
      bps: 0,
      cooldownS: 600,
      maxFileMb: 100,
      maxTotalMb: 1000,
      maxCount: 50,
    },
    analysis: {
      scan: { ports: 500, hosts: 100 },
      scanWindowMinutes: 15,
      dnsQueriesPerMinute: 1000,
      topTalkerShare: 0.5,
      topTalkerMinBytes: 60_000_000,
      changeMinBytes: 1_000_000,
      flowRetentionS: 72 * 3600,
      historyFlowsPerMinute: 20_000,
      historyMaxMb: 2048,
    },
  });
  assert.throws(() => loadDetectorConfig({ FLINTNET_EWMA_ALPHA: "2" }, NO_FILE), ConfigError);
});

Deno.test("describeSettings() documents every setting the loader accepts", async () => {
  const rows = describeSettings();
  const names = rows.map((r) => r.name);
  assert.equal(new Set(names).size, names.length);
  for (const r of rows) {
    assert.match(r.name, /^FLINTNET_[A-Z][A-Z0-9_]+$/);
    for (const field of [r.default, r.accepted, r.description]) {
      assert.ok(field.length > 0, `${r.name} is documented`);
    }
  }
  // Every documented name is known: setting it never shows up as unknown.
  const env = Object.fromEntries(names.map((n) => [n, ""]));
  assert.deepEqual((await load(env)).unknownVariables, []);
  // Defaults are written in the notation the setting accepts: feeding them back changes nothing.
  const byName = Object.fromEntries(rows.map((r) => [r.name, r.default]));
  const fedBack = await load({
    FLINTNET_LISTEN: byName.FLINTNET_LISTEN,
    FLINTNET_MAX_FLOWS: byName.FLINTNET_MAX_FLOWS,
    FLINTNET_FLOW_IDLE_TIMEOUT: byName.FLINTNET_FLOW_IDLE_TIMEOUT,
    FLINTNET_FLOW_ACTIVE_TIMEOUT: byName.FLINTNET_FLOW_ACTIVE_TIMEOUT.split(",")[0],
    FLINTNET_EWMA_ALPHA: byName.FLINTNET_EWMA_ALPHA,
  });
  const defaults = await load({});
  assert.deepEqual(fedBack, defaults);
  assert.equal(byName.FLINTNET_MAX_FLOWS, "1000000");
  assert.equal(byName.FLINTNET_FLOW_IDLE_TIMEOUT, "2m");
});

Deno.test("loadDetectorConfig() refuses an idle timeout shorter than the anomaly interval", () => {
  assert.throws(
    () => loadDetectorConfig({ FLINTNET_FLOW_IDLE_TIMEOUT: "30s", FLINTNET_ANOMALY_INTERVAL: "1m" }, NO_FILE),
    (err: unknown) =>
      err instanceof ConfigError && err.variable === "FLINTNET_FLOW_IDLE_TIMEOUT" &&
      /FLINTNET_FLOW_IDLE_TIMEOUT \(30s\) is shorter than FLINTNET_ANOMALY_INTERVAL \(1m\)/.test(err.message),
  );
  assert.equal(
    loadDetectorConfig({ FLINTNET_FLOW_IDLE_TIMEOUT: "1m", FLINTNET_ANOMALY_INTERVAL: "1m" }, NO_FILE)
      .flowIdleTimeoutS,
    60,
  );
});

Deno.test("CORS origins are normalised as browsers send them and anything else is refused", async () => {
  const cfg = await load({
    FLINTNET_CORS_ORIGINS: "https://Dash.Example.com:443, http://192.0.2.7:8480/, http://[::1]:3000",
  });
  assert.deepEqual(cfg.corsOrigins, [
    "https://dash.example.com",
    "http://192.0.2.7:8480",
    "http://[::1]:3000",
  ]);
  await rejects(
    { FLINTNET_CORS_ORIGINS: "https://a.example/app" },
    'FLINTNET_CORS_ORIGINS="https://a.example/app"',
    '"https://a.example/app" is not an origin',
    "scheme://host[:port]",
  );
  await rejects({ FLINTNET_CORS_ORIGINS: "a.example:80" }, '"a.example:80" is not an origin');
  await rejects({ FLINTNET_CORS_ORIGINS: "ftp://a.example" }, '"ftp://a.example" is not an origin');
  await rejects({ FLINTNET_CORS_ORIGINS: "https://*.example.com" }, "wildcards are refused");
  await rejects({ FLINTNET_CORS_ORIGINS: "null" }, '"null" is not an origin');
  await rejects(
    { FLINTNET_CORS_ORIGINS: "http://a.example,http://A.example:80" },
    '"http://A.example:80" repeats http://a.example',
  );
});

Deno.test("FLINTNET_METRICS_PUBLIC accepts 0, 1, true and false", async () => {
  const cases: [string, boolean][] = [["1", true], ["true", true], ["TRUE", true], ["0", false], [
    "false",
    false,
  ]];
  for (const [text, want] of cases) {
    assert.equal((await load({ FLINTNET_METRICS_PUBLIC: text })).metricsPublic, want, text);
  }
  await rejects({ FLINTNET_METRICS_PUBLIC: "yes" }, 'FLINTNET_METRICS_PUBLIC="yes"', "1, 0, true or false");
});

const CERT_PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const KEY_PEM = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";

Deno.test("TLS takes a certificate and a key file, both readable PEM", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/cert.pem`, CERT_PEM);
    await Deno.writeTextFile(`${dir}/key.pem`, KEY_PEM);
    const cfg = await load({ FLINTNET_TLS_CERT: `${dir}/cert.pem`, FLINTNET_TLS_KEY: `${dir}/key.pem` });
    assert.deepEqual(cfg.tls, { cert: `${dir}/cert.pem`, key: `${dir}/key.pem` });
    assert.equal((await load({})).tls, undefined, "plain HTTP by default");
  });
});

Deno.test("TLS needs both files or neither, and names the one missing", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/cert.pem`, CERT_PEM);
    const msg = await rejects(
      { FLINTNET_TLS_CERT: `${dir}/cert.pem` },
      "FLINTNET_TLS_CERT is set but FLINTNET_TLS_KEY is not",
      "set both",
    );
    assert.ok(!msg.includes(dir), "no value needed to say what is wrong");
    await rejects(
      { FLINTNET_TLS_KEY: `${dir}/key.pem` },
      "FLINTNET_TLS_KEY is set but FLINTNET_TLS_CERT is not",
    );
  });
});

Deno.test("TLS files must exist, be files and hold the right PEM block", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/cert.pem`, CERT_PEM);
    await Deno.writeTextFile(`${dir}/key.pem`, KEY_PEM);
    const both = (cert: string, key: string) => ({ FLINTNET_TLS_CERT: cert, FLINTNET_TLS_KEY: key });
    await rejects(
      both(`${dir}/none.pem`, `${dir}/key.pem`),
      `FLINTNET_TLS_CERT="${dir}/none.pem"`,
      "the file does not exist",
      "a readable PEM file",
    );
    await rejects(both(`${dir}/cert.pem`, dir), `FLINTNET_TLS_KEY="${dir}"`, "a directory");
    await rejects(both(`${dir}/key.pem`, `${dir}/key.pem`), "FLINTNET_TLS_CERT", "no PEM certificate");
    await rejects(
      both(`${dir}/cert.pem`, `${dir}/cert.pem`),
      "FLINTNET_TLS_KEY",
      "no PEM private key",
    );
    await rejects(both("cert.pem", `${dir}/key.pem`), 'FLINTNET_TLS_CERT="cert.pem"', "absolute path");
  });
});

Deno.test("closestSetting() names the setting a misspelt variable most likely meant, and none for a stranger", () => {
  assert.equal(closestSetting("FLINTNET_INTERFCE"), "FLINTNET_INTERFACE");
  assert.equal(closestSetting("FLINTNET_SNAPLENN"), "FLINTNET_SNAPLEN");
  assert.equal(closestSetting("FLINTNET_LISTNE"), "FLINTNET_LISTEN", "swapped neighbours are one edit");
  assert.equal(closestSetting("FLINTNET_smtp_host"), "FLINTNET_SMTP_HOST", "case does not matter");
  assert.equal(closestSetting("FLINTNET_COMMUNITY"), undefined, "too far from FLINTNET_SNMP_COMMUNITY");
  assert.equal(closestSetting("FLINTNET_XYZZY"), undefined);
});
