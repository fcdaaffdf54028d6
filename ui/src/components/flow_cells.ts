/**
 * How a flow or an anomaly's five-tuple is shown in tables, with device names when the registry knows
 * the address.
 *
 * @module
 */
import { endpoint, protocolName } from "../format.ts";
import { html } from "../html.ts";
import { devices } from "../live_state.ts";
import { PHONE_WIDTH } from "./vtable.ts";

/** The device name of an address, when known. */
export function nameOf(ip: string): string | null {
  return devices.value.get(ip)?.name ?? null;
}

/** "10.0.0.1:443" with the device's name on hover and beneath, when known. */
export function Endpoint(props: { ip: string; port: number; protocol: number }) {
  const name = nameOf(props.ip);
  const text = endpointText(props.ip, props.port, props.protocol);
  // The text in its own span, so that a column too narrow for it (a phone) ends it with "…": cut bare,
  // "10.0.0.1:7000" read as "10.0.0.1:70".
  return html`<span class="ep" title=${name ?? props.ip}><span class="ep-text">${text}</span>${
    name && html`<small class="ep-name">${name}</small>`
  }</span>`;
}

/** "TCP", "UDP", "ICMP 8/0". */
export function Proto(props: { protocol: number; src_port: number; dst_port: number }) {
  const p = protocolName(props.protocol);
  return props.protocol === 1 || props.protocol === 58 ? `${p} ${props.src_port}/${props.dst_port}` : p;
}

/** "10.0.0.1:443" for a protocol with ports (TCP, UDP, SCTP), else the address alone. */
function endpointText(ip: string, port: number, protocol: number): string {
  return protocol === 6 || protocol === 17 || protocol === 132 ? endpoint(ip, port) : ip;
}

/** The ends of a flow. */
interface FlowEnds {
  src_ip: string;
  src_port: number;
  dst_ip: string;
  dst_port: number;
  protocol: number;
}

/** A flow's two ends, one above the other: "10.0.0.5:51234" over "→ 10.0.0.1:443" (and `extra`, if any). */
export function FlowPair(props: FlowEnds & { extra?: string }) {
  const from = endpointText(props.src_ip, props.src_port, props.protocol);
  const to = `→ ${endpointText(props.dst_ip, props.dst_port, props.protocol)}${
    props.extra ? ` · ${props.extra}` : ""
  }`;
  const title = `${nameOf(props.src_ip) ?? props.src_ip} → ${nameOf(props.dst_ip) ?? props.dst_ip}`;
  return html`
    <span class="ep"
      title=${title}><span class="ep-text">${from}</span><span class="ep-text">${to}</span></span>
  `;
}

/**
 * A phone's first column, in place of Source and Destination (which hide below PHONE_WIDTH): side by side at
 * a phone's width, two addresses with ports pushed the other columns out of view, or were cut to "10.0.0.…".
 */
export function flowPairColumn<T extends FlowEnds>(extra?: (f: T) => string | null | undefined) {
  return {
    title: "Flow",
    width: "minmax(0,1fr)",
    showBelow: PHONE_WIDTH,
    render: (f: T) => html`<${FlowPair} ...${f} extra=${extra?.(f) ?? undefined} />`,
  };
}
