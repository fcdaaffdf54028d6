/** Flintnet's version, taken from deno.json so there is one place to bump it (embedded by deno compile). */
import meta from "../../deno.json" with { type: "json" };

/** Semantic version of this build. */
export const VERSION: string = meta.version;
