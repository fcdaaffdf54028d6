/**
 * The JSON bodies of POST /alerts/:id/ack and POST /mutes, checked member by member: a wrong type,
 * an unknown member (a typo) or a value out of range is a 400 that names the member and what is
 * accepted.
 */
import type { Context } from "hono";
import type { MuteRule, NewMute } from "../../alert/mod.ts";
import { formatIp, normalizeMac, parseIp } from "../../net/mod.ts";
import { ALERT_KINDS, type AlertKind } from "../../store/mod.ts";
import { SECURITY_EVENT_TYPES } from "../../events/mod.ts";
import { BadParameter } from "../errors.ts";
import { checkFreeText } from "../free_text.ts";
import { invalid, parseTimeParameter } from "../query_params.ts";

/** Longest acknowledgement note. */
export const MAX_NOTE_CHARS = 1000;
/** Longest mute reason. */
export const MAX_REASON_CHARS = 500;
/** Longest mute: a maintenance window, not a way to switch alerts off for good. */
export const MAX_MUTE_S = 30 * 86_400;

const MUTE_MEMBERS = ["mac", "ip", "kind", "type", "until", "duration_s", "reason"];

/** Type names are short identifiers (rogue_device, linkDown, traffic_spike). */
export const TYPE_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

/** A MAC in any spelling {@link normalizeMac} reads (aa:bb:cc:dd:ee:ff, aa-bb-…, aabb.ccdd.eeff) → aa:bb:…. */
export function parseMacParameter(name: string, text: string): string {
  const mac = normalizeMac(text);
  if (mac === null) throw invalid(name, text, "a MAC address as six hex pairs, e.g. 00:1b:21:3a:4f:5e");
  return mac;
}

/** An alert type (see TYPE_PATTERN). */
export function parseTypeParameter(name: string, text: string): string {
  if (!TYPE_PATTERN.test(text)) {
    throw invalid(
      name,
      text,
      "an alert type of 1–64 letters, digits, _ . : -, e.g. rogue_device or linkDown",
    );
  }
  return text;
}

/** A mute rule as the API shows it: times as ISO 8601, absent members null. */
export interface MuteJson {
  id: number;
  mac: string | null;
  ip: string | null;
  kind: AlertKind | null;
  type: string | null;
  until: string;
  reason: string | null;
  created_at: string;
}

/** The rule as JSON. */
export function muteJson(r: MuteRule): MuteJson {
  return {
    id: r.id,
    mac: r.mac ?? null,
    ip: r.ip ?? null,
    kind: r.kind ?? null,
    type: r.type ?? null,
    until: new Date(r.until).toISOString(),
    reason: r.reason ?? null,
    created_at: new Date(r.created_at).toISOString(),
  };
}

/**
 * The body as a JSON object. An empty body is `{}` when `emptyOk`, else a 400; text that is not JSON,
 * or JSON that is not an object, is a 400.
 */
export async function readJsonObject(c: Context, emptyOk: boolean): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.trim() === "") {
    if (emptyOk) return {};
    throw new BadParameter("body", "the request body is empty: expected a JSON object");
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new BadParameter(
      "body",
      `the request body is not JSON (${(e as Error).message}): expected a JSON object`,
    );
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new BadParameter("body", "the request body is JSON but not an object: expected a JSON object");
  }
  return doc as Record<string, unknown>;
}

function checkMembers(body: Record<string, unknown>, accepted: readonly string[]): void {
  for (const k of Object.keys(body)) {
    if (!accepted.includes(k)) {
      const shown = k.length > 64 ? `${k.slice(0, 64)}…` : k;
      throw new BadParameter(
        shown,
        `unknown member ${JSON.stringify(shown)} in the body: accepted members are ${accepted.join(", ")}`,
      );
    }
  }
}

function text(body: Record<string, unknown>, name: string, max: number): string | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") {
    throw new BadParameter(name, `${name} is ${JSON.stringify(v)?.slice(0, 64)}: expected a string`);
  }
  if (v.length > max) throw invalid(name, v, `text of at most ${max} characters`);
  return checkFreeText(name, v);
}

/** The note of an acknowledgement body `{note?}`; null when none. */
export function parseNote(body: Record<string, unknown>): string | null {
  checkMembers(body, ["note"]);
  return text(body, "note", MAX_NOTE_CHARS) ?? null;
}

/**
 * A new mute rule from its body, at `nowMs`: at least one of mac, ip, kind, type; exactly one of
 * `until` (a time after now, as GET /alerts reads since/until) and `duration_s` (whole seconds); either
 * way ending at most MAX_MUTE_S from now.
 */
export function parseMuteBody(body: Record<string, unknown>, nowMs: number): NewMute {
  checkMembers(body, MUTE_MEMBERS);
  const rule: Partial<NewMute> = {};
  const mac = text(body, "mac", 64);
  if (mac !== undefined) {
    rule.mac = parseMacParameter("mac", mac);
  }
  const ip = text(body, "ip", 64);
  if (ip !== undefined) {
    const parsed = parseIp(ip);
    if (!parsed) throw invalid("ip", ip, "an IPv4 or IPv6 address, e.g. 192.0.2.1 or 2001:db8::1");
    rule.ip = formatIp(parsed.family, parsed.words, 0);
  }
  const kind = text(body, "kind", 64);
  if (kind !== undefined) {
    if (!(ALERT_KINDS as readonly string[]).includes(kind)) {
      throw invalid("kind", kind, `one of ${ALERT_KINDS.join(", ")}`);
    }
    rule.kind = kind as AlertKind;
  }
  const type = text(body, "type", 64);
  if (type !== undefined) {
    parseTypeParameter("type", type);
    if (rule.kind === "security" && !(SECURITY_EVENT_TYPES as readonly string[]).includes(type)) {
      throw invalid("type", type, `with kind security, one of ${SECURITY_EVENT_TYPES.join(", ")}`);
    }
    rule.type = type;
  }
  if (!(rule.mac || rule.ip || rule.kind || rule.type)) {
    throw new BadParameter(
      "body",
      "a mute rule needs at least one of mac, ip, kind, type: which alerts to mute",
    );
  }
  rule.until = parseEnd(body, nowMs);
  const reason = text(body, "reason", MAX_REASON_CHARS);
  if (reason !== undefined) rule.reason = reason;
  return rule as NewMute;
}

/** The end of the mute window from `until` or `duration_s`. */
function parseEnd(body: Record<string, unknown>, nowMs: number): number {
  const hasUntil = body.until !== undefined && body.until !== null;
  const hasDuration = body.duration_s !== undefined && body.duration_s !== null;
  if (hasUntil === hasDuration) {
    throw new BadParameter(
      hasUntil ? "duration_s" : "until",
      hasUntil
        ? "give until or duration_s, not both"
        : "a mute rule needs its end: until (e.g. 2024-05-01T18:00:00Z) or duration_s (e.g. 3600)",
    );
  }
  if (hasDuration) {
    const d = body.duration_s;
    if (typeof d !== "number" || !Number.isInteger(d) || d < 1 || d > MAX_MUTE_S) {
      throw new BadParameter(
        "duration_s",
        `duration_s is ${JSON.stringify(d)?.slice(0, 64)}: expected a whole number of seconds from 1 to ` +
          `${MAX_MUTE_S} (30 days)`,
      );
    }
    return nowMs + d * 1000;
  }
  const u = text(body, "until", 64)!;
  const until = parseTimeParameter("until", u);
  if (until <= nowMs || until > nowMs + MAX_MUTE_S * 1000) {
    throw new BadParameter(
      "until",
      `until=${JSON.stringify(u)} is not valid: expected a time after now (${
        new Date(nowMs).toISOString()
      }) ` +
        `and at most 30 days ahead (${new Date(nowMs + MAX_MUTE_S * 1000).toISOString()})`,
    );
  }
  return until;
}
