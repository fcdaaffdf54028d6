/**
 * The path items of the alert history, the mute rules and the alert policy: /alerts, /alerts/{id},
 * /alerts/{id}/ack, /mutes, /mutes/{id}, /config/alerts.
 */
import { ALERT_KINDS, ALERT_SEVERITIES } from "../../store/mod.ts";
import { MAX_ALERTS_BODY_BYTES } from "../routes/alerts.ts";
import { MAX_POLICY_BODY_BYTES } from "../routes/config_alerts.ts";
import { ALERT_TYPE_SCHEMA, MAC_SCHEMA } from "./alert_schemas.ts";
import {
  AUTH_ERRORS,
  BAD_PARAMETER,
  errorResponse,
  FORMAT_PARAMETER,
  type Json,
  json,
  jsonBody,
  jsonOrCsv,
  oneOf,
  PAGE_HEADERS,
  pathParam,
  query,
  ref,
  str,
  tooLarge,
} from "./kit.ts";
import { PAGE_LIMIT_PARAMETERS, TIME_PARAMETERS } from "./paths.ts";

const ID = (what: string) =>
  pathParam("id", `The ${what}'s id.`, { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
const BOOLEAN = (name: string, description: string) => query(name, description, oneOf(["true", "false"], ""));

/** The path items of this file. */
export function alertPaths(): Json {
  return {
    "/alerts": {
      get: {
        summary: "The alert history (security, anomaly, trap), newest first: filter, page, JSON or CSV.",
        description: "Every filter given must hold. An unknown or repeated parameter is a 400. CSV has the " +
          "listed columns (no event).",
        parameters: [
          query("kind", "This kind.", oneOf(ALERT_KINDS, "")),
          query("type", "This type.", ALERT_TYPE_SCHEMA),
          query("severity", "This severity.", oneOf(ALERT_SEVERITIES, "")),
          query("mac", "Filed under this MAC.", MAC_SCHEMA),
          query("ip", "This address as ip, peer_ip or device_ip.", str("IPv4 or IPv6 address")),
          ...TIME_PARAMETERS,
          BOOLEAN("acked", "Acknowledged (true) or not (false)."),
          BOOLEAN("muted", "Muted (true) or not (false)."),
          query("q", "Text the summary contains (case-insensitive for ASCII).", str("", { maxLength: 200 })),
          ...PAGE_LIMIT_PARAMETERS,
          FORMAT_PARAMETER,
        ],
        responses: {
          "200": jsonOrCsv("AlertsPage", "One page.", PAGE_HEADERS),
          "400": BAD_PARAMETER,
          ...AUTH_ERRORS,
        },
      },
    },
    "/alerts/{id}": {
      get: {
        summary: "One alert with the event that raised it.",
        parameters: [ID("alert")],
        responses: {
          "200": json(ref("Alert"), "The alert."),
          "400": BAD_PARAMETER,
          "404": errorResponse("No alert has that id."),
          ...AUTH_ERRORS,
        },
      },
    },
    "/alerts/{id}/ack": {
      post: {
        summary: 'Acknowledge an alert (acked_by "api"), with an optional note.',
        description: "Acknowledging again replaces the time and note.",
        parameters: [ID("alert")],
        requestBody: jsonBody(ref("AlertAck"), "Optional: `{}` or no body at all.", false),
        responses: {
          "200": json(ref("Alert"), "The alert, acknowledged."),
          "400": BAD_PARAMETER,
          "404": errorResponse("No alert has that id."),
          "413": tooLarge(MAX_ALERTS_BODY_BYTES),
          ...AUTH_ERRORS,
        },
      },
    },
    "/mutes": {
      get: {
        summary: "The active mute rules.",
        responses: { "200": json(ref("Mutes"), "The rules."), ...AUTH_ERRORS },
      },
      post: {
        summary: "Mute alerts for a while: a maintenance window, a known noisy device.",
        description: "Alerts that match are still recorded (muted: true) but not delivered.",
        requestBody: jsonBody(ref("NewMute"), "What to mute and until when."),
        responses: {
          "201": json(ref("Mute"), "The rule.", {
            "Location": { description: "/mutes/{id} of the new rule.", schema: str("") },
          }),
          "400": BAD_PARAMETER,
          "413": tooLarge(MAX_ALERTS_BODY_BYTES),
          ...AUTH_ERRORS,
        },
      },
    },
    "/mutes/{id}": {
      delete: {
        summary: "End a mute rule now.",
        parameters: [ID("mute rule")],
        responses: {
          "204": { description: "Deleted." },
          "400": BAD_PARAMETER,
          "404": errorResponse("No mute rule has that id."),
          ...AUTH_ERRORS,
        },
      },
    },
    "/config/alerts": {
      get: {
        summary: "The alert policy: anomaly thresholds, cooldown, learning period, routes to channels.",
        responses: { "200": json(ref("AlertPolicy"), "The policy in force."), ...AUTH_ERRORS },
      },
      put: {
        summary: "Change the alert policy at runtime; kept across restarts.",
        description: "A JSON merge patch (RFC 7396): only the members given change. Refused with a 400 " +
          "naming the member (e.g. anomaly.k) when a value is out of range or a member unknown; nothing " +
          "changes then.",
        requestBody: jsonBody(ref("AlertPolicyPatch"), "The members to change.", true, [
          "application/json",
          "application/merge-patch+json",
        ]),
        responses: {
          "200": json(ref("AlertPolicy"), "The policy now in force."),
          "400": BAD_PARAMETER,
          "413": tooLarge(MAX_POLICY_BODY_BYTES),
          ...AUTH_ERRORS,
        },
      },
    },
  };
}
