/**
 * Status badges: SNMP poll status and alert severity, in words and colour (never colour alone).
 *
 * @module
 */
import { html } from "../html.ts";

const SNMP_TEXT: Record<string, string> = {
  ok: "SNMP ok",
  no_response: "no SNMP",
  auth_failure: "SNMP auth failure",
  error: "SNMP error",
  not_polled: "not polled yet",
};

/** A device's SNMP status. */
export function SnmpBadge(props: { status: string; title?: string }) {
  return html`<span class=${`badge snmp-${props.status}`} title=${props.title} data-snmp=${props.status}>${
    SNMP_TEXT[props.status] ?? props.status
  }</span>`;
}

/** An alert's severity. */
export function SeverityBadge(props: { severity: string }) {
  return html`<span class=${`sev sev-${props.severity}`}>${props.severity}</span>`;
}
