/**
 * The FLINTNET_* settings of the network map (src/topology/): how many polls a link may go unreported
 * before it leaves the map.
 */
import { intRange } from "./parsers.ts";
import { setting, value, type Vars } from "./setting.ts";

/** Resolved topology settings. */
export interface TopologyConfig {
  /** Polls of a device in a row that may leave out a neighbour before its link ages out. */
  agePolls: number;
}

/** The settings table rows of this file, in `--help` order. */
export const TOPOLOGY_SETTINGS = {
  agePolls: setting({
    name: "FLINTNET_TOPOLOGY_AGE_POLLS",
    description: "A link an SNMP device stops reporting (LLDP/CDP) leaves the map after this many of its " +
      "polls without it; links seen only in capture leave when their own TTL runs out.",
    parser: intRange(1, 1000),
    fallback: 3,
  }),
};

/** Reads the topology settings. */
export function topologySettings(vars: Vars): TopologyConfig {
  return { agePolls: value(TOPOLOGY_SETTINGS.agePolls, vars) };
}
