/**
 * docs/settings.md's table is what `deno task docs:settings` writes from the settings tables that
 * `flintnet --help` and the loader read: a setting added in code and not on the page fails here.
 */
import assert from "node:assert/strict";
import { renderSettingsPage } from "../scripts/settings_doc.ts";

Deno.test("docs/settings.md lists every setting as the code defines it (run deno task docs:settings)", async () => {
  const page = await Deno.readTextFile(new URL("../docs/settings.md", import.meta.url));
  const written = renderSettingsPage(page);
  // The page is stored as deno fmt aligns it; compare cell by cell, not space by space.
  const cells = (text: string) =>
    text.split("\n").filter((l) => l.startsWith("| ") && !/^\|[\s|-]+$/.test(l))
      .map((l) => l.split(/\s*\|\s*/).join("|"));
  assert.deepEqual(cells(page), cells(written));
});
