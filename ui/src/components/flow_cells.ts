/**
 * How a flow or an anomaly's five-tuple is shown in tables, with device names when the registry knows
 * the address.
 *
 * @module
 */
import { endpoint, protocolName } from "../format.ts";
import { html } from "../html.ts";
import { devices } from "../live_state.ts";

/** The device name of an address, when known. */
export function nameOf(ip: string): string | null {
  return devices.value.get(ip)?.name ?? null;
}

/** "10.0.0.1:443" with the device's name on hover and beneath, when known. */
export function Endpoint(props: { ip: string; port: number; protocol: number }) {
  const name = nameOf(props.ip);
  const text = props.protocol === 6 || props.protocol === 17 || props.protocol === 132
    ? endpoint(props.ip, props.port)
    : props.ip;
  return html`<span class="ep" title=${name ?? props.ip}>${text}${
    name && html`<small class="ep-name">${name}</small>`
  }</span>`;
}

/** "TCP", "UDP", "ICMP 8/0". */
export function Proto(props: { protocol: number; src_port: number; dst_port: number }) {
  const p = protocolName(props.protocol);
  return props.protocol === 1 || props.protocol === 58 ? `${p} ${props.src_port}/${props.dst_port}` : p;
}
