/**
 * SonicWall (SonicOS) and WatchGuard (Fireware) firewalls.
 *
 * Where the identifiers come from: SonicWall's enterprise 8741 and its firewall product OID 8741.1
 * (Datadog dell-sonicwall: "SonicWALL TZ 400"), the "SonicWALL <model> (SonicOS <edition> <version>)"
 * sysDescr SonicOS prints; WatchGuard's enterprise 3097 and its Firebox subtree 3097.1.5 (Datadog
 * watchguard, typed firewall there too).
 */
import type { ProductDefinition } from "../definition.ts";

export const SONICWALL_WATCHGUARD: readonly ProductDefinition[] = [
  {
    id: "sonicwall-sonicos",
    os: "SonicOS",
    vendor: "SonicWall",
    type: "firewall",
    match: [{ sysObjectId: ["1.3.6.1.4.1.8741"] }, { sysDescr: String.raw`^SonicWALL\b` }],
    model: [{ sysDescr: String.raw`^SonicWALL\s+(.+?)\s*\(SonicOS` }],
    version: [{ sysDescr: String.raw`\(SonicOS(?:\s+[A-Za-z]+)?\s+([\w.-]+)\)` }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.8741.1", sysDescr: "", model: null, version: null }, {
      sysObjectId: "",
      sysDescr: "SonicWALL NSA 2600 (SonicOS Enhanced 6.2.5.1-26n)",
      model: "NSA 2600",
      version: "6.2.5.1-26n",
    }],
  },
  {
    id: "watchguard-fireware",
    os: "Fireware",
    vendor: "WatchGuard",
    type: "firewall",
    match: [{ sysObjectId: ["1.3.6.1.4.1.3097"] }],
    examples: [{ sysObjectId: "1.3.6.1.4.1.3097.1.5", sysDescr: "", model: null, version: null }],
  },
];
