/**
 * htm bound to Preact's `h` (`html\`<p>${text}</p>\`` → a vnode): JSX-like templates without a compile step. Interpolated values are text
 * nodes or attribute values, never parsed as HTML, so strings from the network (sysName, sysDescr,
 * hostnames) cannot inject markup.
 *
 * @module
 */
export { html } from "htm/preact";
