/// <reference lib="dom" />
/**
 * htm bound to Preact's `h`: JSX-like templates without a compile step. Interpolated values are text
 * nodes or attribute values, never parsed as HTML, so strings from the network (sysName, sysDescr,
 * hostnames) cannot inject markup.
 *
 * @module
 */
import { h } from "preact";
import htm from "htm";

/** `html\`<p>${text}</p>\`` → a Preact vnode. */
export const html = htm.bind(h);
