/**
 * The env file a release ships as `flintnet.env.example` (and `flintnet config example` prints): every
 * setting commented out at its default, with what it does and what it accepts, so an admin uncomments
 * the lines they need. Written from the settings table, so it cannot fall behind `--help`.
 */
import { describeSettings, settingsTable } from "./load.ts";

/** The text of an example env file, one commented block per setting. */
export function envExample(): string {
  const lines = [
    "# Flintnet settings: NAME=value lines, read by systemd (EnvironmentFile=) or FLINTNET_ENV_FILE.",
    "# Every setting is shown commented out at its default; uncomment and change the ones you need.",
    "# Check the file before restarting: flintnet config check --env-file /etc/flintnet/flintnet.env",
    "# Keep it mode 0600 when it holds a secret (marked below).",
    "",
  ];
  for (const s of describeSettings()) {
    lines.push(`# ${s.description}${s.secret ? " (secret)" : ""}`);
    lines.push(`# Accepted: ${s.accepted}. Default: ${s.default || "(none)"}.`);
    // The default as a value only when the setting accepts it as written ("none" or "the interface of the
    // default route" are words); an empty value means the default too.
    const shown = !s.secret && !/\s/.test(s.default) && accepts(s.name, s.default) ? s.default : "";
    lines.push(`#${s.name}=${shown}`, "");
  }
  return lines.join("\n");
}

function accepts(name: string, text: string): boolean {
  const row = settingsTable().find((s) => s.name === name);
  try {
    row?.parser.parse(text);
    return row !== undefined && text !== "";
  } catch {
    return false;
  }
}
