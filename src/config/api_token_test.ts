import assert from "node:assert/strict";
import { apiTokenProblem, generateApiToken, loadOrCreateApiToken } from "./api_token.ts";
import { setLogSink } from "../base/log.ts";

async function withStateDir(fn: (dir: string, lines: string[]) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-token-" });
  const lines: string[] = [];
  setLogSink((line) => lines.push(line));
  try {
    await fn(dir, lines);
  } finally {
    setLogSink(undefined);
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("loadOrCreateApiToken() creates a 0600 token file on first call", async () => {
  await withStateDir(async (dir) => {
    const got = await loadOrCreateApiToken(dir);
    assert.equal(got.created, true);
    assert.equal(got.path, `${dir}/api-token`);
    // 32 bytes in unpadded base64url are 43 characters of the URL-safe alphabet.
    assert.match(got.token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal((await Deno.readTextFile(got.path)).trim(), got.token);
    assert.equal((await Deno.stat(got.path)).mode! & 0o777, 0o600);
    const decoded = atob(got.token.replace(/-/g, "+").replace(/_/g, "/") + "=");
    assert.equal(decoded.length, 32);
  });
});

Deno.test("loadOrCreateApiToken() reuses the token on the second call", async () => {
  await withStateDir(async (dir) => {
    const first = await loadOrCreateApiToken(dir);
    const second = await loadOrCreateApiToken(dir);
    assert.equal(second.created, false);
    assert.equal(second.token, first.token);
  });
});

Deno.test("loadOrCreateApiToken() reads a token written by the operator, trimming the newline", async () => {
  await withStateDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/api-token`, "operator-chosen-token-123\n", { mode: 0o600 });
    const got = await loadOrCreateApiToken(dir);
    assert.deepEqual(got, { token: "operator-chosen-token-123", created: false, path: `${dir}/api-token` });
  });
});

Deno.test("loadOrCreateApiToken() tightens a group/other-readable file to 0600 and warns", async () => {
  await withStateDir(async (dir, lines) => {
    const path = `${dir}/api-token`;
    await Deno.writeTextFile(path, "operator-chosen-token-123\n");
    await Deno.chmod(path, 0o644);
    const got = await loadOrCreateApiToken(dir);
    assert.equal(got.token, "operator-chosen-token-123");
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    const warn = lines.map((l) => JSON.parse(l)).find((r) => r.level === "warn");
    assert.ok(warn, "a warning was logged");
    assert.equal(warn.path, path);
    assert.equal(warn.previousMode, "0644");
    assert.ok(!lines.join("").includes("operator-chosen-token-123"), "the token is never logged");
  });
});

Deno.test("loadOrCreateApiToken() creates the state directory when missing", async () => {
  await withStateDir(async (dir) => {
    const got = await loadOrCreateApiToken(`${dir}/a/b`);
    assert.equal(got.created, true);
    assert.equal(got.path, `${dir}/a/b/api-token`);
  });
});

Deno.test("loadOrCreateApiToken() refuses an empty, short or whitespace-holding file, naming the path", async () => {
  await withStateDir(async (dir) => {
    const path = `${dir}/api-token`;
    for (const content of ["", "\n", "short\n", "has a space inside it\n"]) {
      await Deno.writeTextFile(path, content, { mode: 0o600 });
      await assert.rejects(loadOrCreateApiToken(dir), (err: Error) => {
        assert.ok(err.message.includes(path), err.message);
        assert.match(err.message, /delete it/);
        if (content.trim() !== "") assert.ok(!err.message.includes(content.trim()), "content not echoed");
        return true;
      }, JSON.stringify(content));
    }
    // The bad file is left for the operator to inspect, not silently replaced.
    assert.equal(await Deno.readTextFile(path), "has a space inside it\n");
  });
});

Deno.test("generateApiToken() gives a different token each call", () => {
  const seen = new Set(Array.from({ length: 50 }, () => generateApiToken()));
  assert.equal(seen.size, 50);
});

Deno.test("apiTokenProblem() accepts 16 non-space characters and refuses 15", () => {
  assert.equal(apiTokenProblem("a".repeat(16)), undefined);
  assert.match(apiTokenProblem("a".repeat(15))!, /15 characters/);
  assert.match(apiTokenProblem("a".repeat(16) + "\tb")!, /whitespace/);
});
