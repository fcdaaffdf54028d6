/**
 * Flintnet's entry point: picks the command, loads the configuration, and hands over to the app or
 * to replay. Kept thin on purpose; everything it starts is built in src/.
 */
// cli.ts, not src/app/mod.ts: the mod re-exports createApp, and importing it loaded the whole daemon (Hono,
// the HTTP routes, SNMP) before every command; cli.ts imports the daemon or replay only when it runs one.
import { runCli } from "./src/app/cli.ts";

if (import.meta.main) {
  Deno.exit(await runCli(Deno.args, Deno.env.toObject()));
}
