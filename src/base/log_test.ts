import assert from "node:assert/strict";
import { createLogger, getLogLevel, setLogLevel, setLogSink } from "./log.ts";

/** Runs `fn` with lines captured, restoring stderr and the level afterwards. */
function capture(fn: () => void): Record<string, unknown>[] {
  const lines: string[] = [];
  const before = getLogLevel();
  setLogSink((line) => lines.push(line));
  try {
    fn();
  } finally {
    setLogSink(undefined);
    setLogLevel(before);
  }
  for (const line of lines) assert.ok(!line.includes("\n"), `one line per call: ${line}`);
  return lines.map((line) => JSON.parse(line));
}

Deno.test("logger writes one JSON object with ts, level, component, msg and fields", () => {
  const [rec, ...rest] = capture(() =>
    createLogger("capture").info("ring ready", { blocks: 64, iface: "eth0" })
  );
  assert.equal(rest.length, 0);
  assert.equal(rec.level, "info");
  assert.equal(rec.component, "capture");
  assert.equal(rec.msg, "ring ready");
  assert.equal(rec.blocks, 64);
  assert.equal(rec.iface, "eth0");
  const ts = new Date(rec.ts as string);
  assert.ok(!Number.isNaN(ts.getTime()));
  assert.equal(ts.toISOString(), rec.ts);
});

Deno.test("logger drops lines below the level set with setLogLevel()", () => {
  const recs = capture(() => {
    setLogLevel("warn");
    const log = createLogger("t");
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e");
  });
  assert.deepEqual(recs.map((r) => r.level), ["warn", "error"]);
});

Deno.test("logger at debug level writes every level", () => {
  const recs = capture(() => {
    setLogLevel("debug");
    const log = createLogger("t");
    log.debug("d");
    log.info("i");
  });
  assert.deepEqual(recs.map((r) => r.msg), ["d", "i"]);
});

Deno.test("logger writes Error field values as their message", () => {
  const [rec] = capture(() =>
    createLogger("t").error("open failed", { err: new TypeError("no such device") })
  );
  assert.equal(rec.err, "no such device");
});

Deno.test("logger redacts credential-looking keys at any depth", () => {
  const [rec] = capture(() =>
    createLogger("snmp").info("poll", {
      apiToken: "s3cr3t-token-value",
      password: "hunter2",
      smtpPass: "p",
      clientSecret: "x",
      Authorization: "Bearer abc",
      community: "public",
      target: { host: "192.0.2.1", community: "private" },
      host: "192.0.2.1",
    })
  );
  const text = JSON.stringify(rec);
  for (const secret of ["s3cr3t", "hunter2", "Bearer", "public", "private"]) {
    assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
  }
  assert.equal(rec.apiToken, "[redacted]");
  assert.equal(rec.password, "[redacted]");
  assert.equal(rec.smtpPass, "[redacted]");
  assert.equal(rec.clientSecret, "[redacted]");
  assert.equal(rec.Authorization, "[redacted]");
  assert.equal(rec.community, "[redacted]");
  assert.deepEqual(rec.target, { host: "192.0.2.1", community: "[redacted]" });
  assert.equal(rec.host, "192.0.2.1");
});

Deno.test("logger keeps its own keys when a field has the same name", () => {
  const [rec] = capture(() => createLogger("real").info("real msg", { component: "fake", msg: "fake msg" }));
  assert.equal(rec.component, "real");
  assert.equal(rec.msg, "real msg");
  assert.equal(rec.field_component, "fake");
  assert.equal(rec.field_msg, "fake msg");
});

Deno.test("logger survives bigint and circular field values", () => {
  const loop: Record<string, unknown> = { name: "a" };
  loop.self = loop;
  const [rec] = capture(() => createLogger("t").info("odd", { octets: 2n ** 64n, loop }));
  assert.equal(rec.octets, "18446744073709551616");
  assert.deepEqual(rec.loop, { name: "a", self: "[circular]" });
});

Deno.test("logger never throws when the sink throws", () => {
  setLogSink(() => {
    throw new Error("stderr closed");
  });
  try {
    createLogger("t").error("still fine");
  } finally {
    setLogSink(undefined);
  }
});

Deno.test("setLogLevel() rejects an unknown level", () => {
  assert.throws(() => setLogLevel("verbose" as "info"), /verbose/);
});

Deno.test("logger writes to stderr, not stdout", async () => {
  const script = `import { createLogger } from ${JSON.stringify(new URL("./log.ts", import.meta.url).href)};
createLogger("child").warn("to stderr", { n: 1 });`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.equal(new TextDecoder().decode(out.stdout), "");
  const lines = new TextDecoder().decode(out.stderr).split("\n").filter((l) => l !== "");
  assert.equal(lines.length, 1);
  const rec = JSON.parse(lines[0]);
  assert.equal(rec.component, "child");
  assert.equal(rec.msg, "to stderr");
  assert.equal(rec.n, 1);
});
