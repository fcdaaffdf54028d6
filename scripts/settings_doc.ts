/**
 * `deno task docs:settings`: writes the settings table of docs/settings.md from the settings tables in
 * src/config/, the same source `flintnet --help` reads, so the page cannot drift from the code. A test
 * (tests/docs_settings_test.ts) fails when the page is not what this would write.
 */
import { describeSettings } from "../src/config/mod.ts";

const PAGE = new URL("../docs/settings.md", import.meta.url);
const BEGIN = "<!-- settings:begin (written by `deno task docs:settings`) -->";
const END = "<!-- settings:end -->";

/** Table cells: pipes escaped, code for defaults. */
function cell(text: string): string {
  return text.replaceAll("|", "\\|");
}

/** The table, one row per setting in `--help` order. */
export function settingsTable(): string {
  const rows = describeSettings().map((s) =>
    `| \`${s.name}\` | ${cell(s.default ? s.default : "none")} | ${cell(s.description)} Accepted: ${
      cell(s.accepted)
    }. |`
  );
  return ["| setting | default | what, and the values accepted |", "| --- | --- | --- |", ...rows].join("\n");
}

/** The page with its table section replaced; throws when the markers are missing. */
export function renderSettingsPage(page: string): string {
  const a = page.indexOf(BEGIN), b = page.indexOf(END);
  if (a < 0 || b < a) throw new Error(`docs/settings.md lacks the markers ${BEGIN} … ${END}`);
  return `${page.slice(0, a + BEGIN.length)}\n\n${settingsTable()}\n\n${page.slice(b)}`;
}

if (import.meta.main) {
  const page = await Deno.readTextFile(PAGE);
  await Deno.writeTextFile(PAGE, renderSettingsPage(page));
  const fmt = await new Deno.Command(Deno.execPath(), { args: ["fmt", PAGE.pathname] }).output();
  Deno.exit(fmt.code);
}
