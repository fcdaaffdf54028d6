import assert from "node:assert/strict";
import { parseEnv } from "node:util";
import { checkSettings } from "./config_check.ts";
import { envExample } from "./env_example.ts";

const BASE = { FLINTNET_INTERFACE: "lo", FLINTNET_CIDR: "127.0.0.0/8" };

Deno.test("checkSettings() reports every bad setting at once, one line each, and names a misspelt one", async () => {
  const problems = await checkSettings({
    ...BASE,
    FLINTNET_LISTEN: "127.0.0.1:99999",
    FLINTNET_ANOMALY_K: "-3",
    FLINTNET_SMTP_PORT: "smtp",
    FLINTNET_LOG_LEVL: "debug",
  });
  assert.deepEqual(
    problems.map((p) => [p.severity, p.variable]),
    [
      ["error", "FLINTNET_LISTEN"],
      ["error", "FLINTNET_ANOMALY_K"],
      ["error", "FLINTNET_SMTP_PORT"],
      ["warning", "FLINTNET_LOG_LEVL"],
    ].sort((a, b) => (a[0] === b[0] ? 0 : a[0] === "error" ? -1 : 1)),
  );
  for (const p of problems) assert.ok(!p.message.includes("\n"), p.message);
  assert.match(problems.at(-1)!.message, /did you mean FLINTNET_LOG_LEVEL\?/);
});

Deno.test("checkSettings() never echoes a secret's value", async () => {
  const problems = await checkSettings({ ...BASE, FLINTNET_SNMP_COMMUNITY: "sec ret\u0001value" });
  assert.equal(problems.length, 1);
  assert.ok(!problems[0].message.includes("ret"), problems[0].message);
});

Deno.test("checkSettings() applies the rules between settings once each value is valid", async () => {
  const problems = await checkSettings({
    ...BASE,
    FLINTNET_FLOW_IDLE_TIMEOUT: "120",
    FLINTNET_FLOW_ACTIVE_TIMEOUT: "60",
  });
  assert.equal(problems.length, 1);
  assert.equal(problems[0].variable, "FLINTNET_FLOW_ACTIVE_TIMEOUT");
});

Deno.test("checkSettings() refuses an interface this machine does not have, unless told to wait", async () => {
  const missing = await checkSettings({ ...BASE, FLINTNET_INTERFACE: "fpr-nosuch0" });
  assert.equal(missing.length, 1);
  assert.match(missing[0].message, /no interface "fpr-nosuch0"/);
  assert.deepEqual(
    await checkSettings({ ...BASE, FLINTNET_INTERFACE: "fpr-nosuch0", FLINTNET_INTERFACE_WAIT: "1" }),
    [],
  );
});

Deno.test("checkSettings() creates nothing: the state directory is only named", async () => {
  const dir = `/tmp/flintnet-check-${crypto.randomUUID()}`;
  assert.deepEqual(await checkSettings({ ...BASE, FLINTNET_STATE_DIR: dir }), []);
  await assert.rejects(Deno.stat(dir));
});

Deno.test("envExample() with every line uncommented is a valid env file: the defaults it shows are accepted", async () => {
  const text = envExample().replace(/^#(FLINTNET_[A-Z0-9_]+=)/gm, "$1");
  const vars = { ...parseEnv(text), ...BASE, FLINTNET_ENV_FILE: "" } as Record<string, string>;
  assert.ok(Object.keys(vars).length > 50, "every setting is in the example");
  assert.deepEqual(await checkSettings(vars), []);
});
