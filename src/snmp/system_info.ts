/**
 * The MIB-2 system group (RFC 3418 §2, SNMPv2-MIB) in one GET: what discovery probes and every poll
 * starts with, since sysUpTime is what counter rates are measured against.
 */
import { SnmpError, type SnmpSession, type SnmpValue, type SystemInfo } from "./snmp_types.ts";

/** sysDescr.0 (SNMPv2-MIB). */
export const SYS_DESCR = "1.3.6.1.2.1.1.1.0";
/** sysObjectID.0 (SNMPv2-MIB). */
export const SYS_OBJECT_ID = "1.3.6.1.2.1.1.2.0";
/** sysUpTime.0 (SNMPv2-MIB), TimeTicks in hundredths of a second. */
export const SYS_UP_TIME = "1.3.6.1.2.1.1.3.0";
/** sysName.0 (SNMPv2-MIB). */
export const SYS_NAME = "1.3.6.1.2.1.1.5.0";
/** sysServices.0 (SNMPv2-MIB), a layer bit mask 0–127. */
export const SYS_SERVICES = "1.3.6.1.2.1.1.7.0";

/** DisplayString is at most 255 characters (RFC 2579, SNMPv2-TC). */
const DISPLAY_STRING_MAX = 255;

/**
 * Reads the system group. Rejects with the session's {@link SnmpError}, or with `no_such_object` when
 * the agent has no sysUpTime.0 (a system group without it cannot anchor counter rates), or `malformed`
 * when sysUpTime is not a number.
 */
export async function getSystemInfo(s: SnmpSession): Promise<SystemInfo> {
  const [descr, objectId, upTime, name, services] = await s.get([
    SYS_DESCR,
    SYS_OBJECT_ID,
    SYS_UP_TIME,
    SYS_NAME,
    SYS_SERVICES,
  ]);
  if (upTime === undefined) {
    throw new SnmpError("no_such_object", `no such object ${SYS_UP_TIME} (sysUpTime)`);
  }
  if (typeof upTime !== "number") {
    throw new SnmpError("malformed", `malformed response: sysUpTime is a ${kindOf(upTime)}, not TimeTicks`);
  }
  return {
    sysDescr: textOf(descr),
    sysObjectId: typeof objectId === "string" ? objectId : "",
    sysName: textOf(name),
    sysServices: typeof services === "number" && services >= 0 && services <= 127 ? services : undefined,
    sysUpTimeCs: upTime,
  };
}

/**
 * DisplayString bytes → text: UTF-8 (invalid sequences become U+FFFD), line breaks and tabs become one
 * space, other control characters are dropped, surrounding space trimmed, at most 255 characters.
 */
export function decodeText(bytes: Uint8Array): string {
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes)
    .replace(/[\t\n\r\v\f]+/g, " ")
    // deno-lint-ignore no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, "")
    .trim();
  // Code points never outnumber UTF-16 units: only a long text is split (per interface name, per poll).
  if (text.length <= DISPLAY_STRING_MAX) return text;
  const chars = Array.from(text);
  return chars.length > DISPLAY_STRING_MAX ? chars.slice(0, DISPLAY_STRING_MAX).join("") : text;
}

/** Any value as DisplayString text ("" when absent): agents sometimes answer a number where text belongs. */
export function textOf(v: SnmpValue | undefined): string {
  if (v instanceof Uint8Array) return decodeText(v);
  if (typeof v === "string") return decodeText(new TextEncoder().encode(v));
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  return "";
}

function kindOf(v: SnmpValue): string {
  if (v === null) return "null";
  if (v instanceof Uint8Array) return "string";
  return typeof v;
}
