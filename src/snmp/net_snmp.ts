/**
 * npm:net-snmp and node:crypto, imported on first use rather than with this folder: net-snmp is a
 * CommonJS package run through Deno's Node compatibility (about 75 ms to import here) and node:crypto
 * another 60–75 ms, which every command and test that reaches snmp/ through a barrel paid even when it
 * never speaks SNMP (`flintnet replay`, `version`, most unit tests). The specifiers are literals, so
 * `deno compile` still embeds both.
 */

/** The net-snmp module (untyped: the package ships no declarations). */
// deno-lint-ignore no-explicit-any
export type NetSnmp = any;

/** node:crypto, as SNMPv3 privacy (usm_privacy.ts) uses it. */
export type NodeCrypto = typeof import("node:crypto");

let loaded: NetSnmp | undefined;
let crypto: NodeCrypto | undefined;
let loading: Promise<NetSnmp> | undefined;

/** Imports net-snmp and node:crypto once; later calls resolve to the same module. */
export function loadNetSnmp(): Promise<NetSnmp> {
  if (loaded !== undefined) return Promise.resolve(loaded);
  return loading ??= Promise.all([import("net-snmp"), import("node:crypto")]).then(([m, c]) => {
    crypto = c;
    return loaded = m.default;
  });
}

/**
 * The module, for code that runs only once loadNetSnmp() has resolved (a session's requests and what
 * handles their answers).
 * @throws Error when called before that
 */
export function netSnmp(): NetSnmp {
  if (loaded === undefined) throw new Error("net-snmp is not loaded yet: await loadNetSnmp() first");
  return loaded;
}

/**
 * node:crypto, once loadNetSnmp() has resolved.
 * @throws Error when called before that
 */
export function nodeCrypto(): NodeCrypto {
  if (crypto === undefined) throw new Error("node:crypto is not loaded yet: await loadNetSnmp() first");
  return crypto;
}
