/**
 * npm:net-snmp, imported on first use rather than with this folder: it is a CommonJS package run through
 * Deno's Node compatibility and costs about 75 ms to import here, which every command and test that
 * reaches snmp/ through a barrel paid even when it never speaks SNMP (`flintnet replay`, `version`,
 * most unit tests). The specifier is a literal, so `deno compile` still embeds the package.
 */

/** The net-snmp module (untyped: the package ships no declarations). */
// deno-lint-ignore no-explicit-any
export type NetSnmp = any;

let loaded: NetSnmp | undefined;
let loading: Promise<NetSnmp> | undefined;

/** Imports net-snmp once; later calls resolve to the same module. */
export function loadNetSnmp(): Promise<NetSnmp> {
  if (loaded !== undefined) return Promise.resolve(loaded);
  return loading ??= import("net-snmp").then((m) => loaded = m.default);
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
