/** GET /version: which build answers, so a script can check what it talks to. */
import { Hono } from "hono";
import { buildCommit, VERSION } from "../../base/mod.ts";

/** What GET /version needs. */
export interface VersionDeps {
  /** When the daemon started. */
  startedAt: Date;
}

/** The body of GET /version. */
export interface VersionJson {
  /** Flintnet's semantic version. */
  version: string;
  /** The commit it was built from, or "unknown". */
  commit: string;
  /** Version of the Deno runtime. */
  deno: string;
  /** When the daemon started, ISO 8601. */
  started_at: string;
}

/** Serves `GET /version`. */
export function versionRoutes(deps: VersionDeps): Hono {
  const app = new Hono();
  const body = async (): Promise<VersionJson> => ({
    version: VERSION,
    commit: await buildCommit(),
    deno: Deno.version.deno,
    started_at: deps.startedAt.toISOString(),
  });
  app.get("/version", async (c) => c.json(await body()));
  return app;
}
