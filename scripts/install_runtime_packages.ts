/**
 * `deno task setup`: the Debian packages Flintnet itself needs at run time, installed when missing.
 * `deno task start` depends on it, so the README's first command works on a fresh machine.
 */
import { ensurePackages, type PackageTable } from "./debian_packages.ts";

/** What the daemon loads at run time. */
export const RUNTIME_PACKAGES: PackageTable = {
  "libpcap0.8": "compiles FLINTNET_BPF capture filters (loaded through FFI)",
  "ieee-data": "the IEEE OUI registry: MAC address vendors",
  "libwireshark-data": "the IANA enterprise-number registry: SNMP vendor names",
};

if (import.meta.main) Deno.exit(await ensurePackages(RUNTIME_PACKAGES, "Flintnet"));
