/**
 * Flintnet's entry point: picks the command, loads the configuration, and hands over to the app or
 * to replay. Kept thin on purpose; everything it starts is built in src/.
 */
import { runCli } from "./src/app/mod.ts";

if (import.meta.main) {
  Deno.exit(await runCli(Deno.args, Deno.env.toObject()));
}
