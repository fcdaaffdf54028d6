/**
 * `GET /config/alerts` and `PUT /config/alerts`: the alert policy (anomaly thresholds, cooldown, learning
 * period, which kinds go to which channel), changed at runtime without a restart.
 *
 * PUT takes a JSON merge patch (RFC 7396): only the members given change, arrays are replaced whole.
 *
 *   curl -X PUT -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
 *     -d '{"cooldown_s": 600, "routes": {"trap": ["webhook"]}}' http://host:8480/config/alerts
 */
import { Hono } from "hono";
import { type AlertPolicyStore, PolicyError } from "../../alert/mod.ts";
import { errorResponse } from "../errors.ts";
import { bodyLimit } from "../hardening.ts";

/** The policy is a handful of numbers and lists: anything bigger is not a policy. */
export const MAX_POLICY_BODY_BYTES = 16 * 1024;

/** What /config/alerts reads and changes. */
export interface ConfigAlertsDeps {
  /** The persisted policy. */
  policy: AlertPolicyStore;
}

/** The /config/alerts sub-app (authentication is the app's). */
export function configAlertsRoutes(deps: ConfigAlertsDeps): Hono {
  const app = new Hono();
  app.get("/config/alerts", (c) => c.json(deps.policy.get()));
  app.put("/config/alerts", bodyLimit(MAX_POLICY_BODY_BYTES), async (c) => {
    const type = c.req.header("Content-Type") ?? "";
    if (!/^application\/(merge-patch\+)?json\s*(;|$)/i.test(type)) {
      return errorResponse(
        c,
        400,
        "bad_parameter",
        `Content-Type must be application/json or application/merge-patch+json, got ${
          JSON.stringify(type.slice(0, 80))
        }`,
        "body",
      );
    }
    let patch: unknown;
    try {
      patch = JSON.parse(await c.req.text());
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      return errorResponse(
        c,
        400,
        "bad_parameter",
        `the body is not valid JSON: ${why.slice(0, 200)}`,
        "body",
      );
    }
    try {
      return c.json(await deps.policy.update(patch));
    } catch (err) {
      if (err instanceof PolicyError) return errorResponse(c, 400, "bad_parameter", err.message, err.field);
      throw err;
    }
  });
  return app;
}
