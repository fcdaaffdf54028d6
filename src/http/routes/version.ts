/** GET /version: which build answers, so a script can check what it talks to. */
import { Hono } from "hono";
import { VERSION } from "../../base/mod.ts";

/** What GET /version needs. */
export interface VersionDeps {
  /** When the daemon started. */
  startedAt: Date;
}

/** The body of GET /version. */
export interface VersionJson {
  /** Flintnet's semantic version. */
  version: string;
  /** Version of the Deno runtime. */
  deno: string;
  /** When the daemon started, ISO 8601. */
  started_at: string;
}

/** Serves `GET /version`. */
export function versionRoutes(deps: VersionDeps): Hono {
  const app = new Hono();
  const body: VersionJson = {
    version: VERSION,
    deno: Deno.version.deno,
    started_at: deps.startedAt.toISOString(),
  };
  app.get("/version", (c) => c.json(body));
  return app;
}
