import assert from "node:assert/strict";

const REPO = new URL("../", import.meta.url).pathname;

Deno.test({
  name: "the whole dashboard type-checks against the daemon's own API types (deno check ui/src/main.ts)",
  // The unit tests beside the UI import only a few of its modules, and the bundler strips types without
  // checking them: this is what makes a renamed API member, or a screen reading one that is gone, fail.
  async fn() {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["check", "ui/src/main.ts"],
      cwd: REPO,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, `deno check ui/src/main.ts failed:\n${text}`);
  },
});
