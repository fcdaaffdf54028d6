/**
 * The FLINTNET_TRAP_* limits: how many traps a minute become events, and how much of one trap is kept,
 * so that a flood of traps (forged sources included: traps are UDP) costs bounded memory, disk and
 * mail (see src/snmp/trap_limiter.ts).
 */
import { intRange } from "./parsers.ts";
import { setting, value, type Vars } from "./setting.ts";

/** Trap limits. */
export interface TrapLimitsConfig {
  /** Traps a minute published from one source; the rest are counted and said in its next one. */
  perSourcePerMinute: number;
  /** Traps a minute published from every source together. */
  totalPerMinute: number;
  /** Varbinds kept per trap; the rest are counted in its reason. */
  maxVarbinds: number;
  /** Octets of one varbind value kept; longer values are cut and marked "…". */
  maxValueBytes: number;
}

/** The settings table rows of this file, in `--help` order. */
export const TRAP_SETTINGS = {
  perSource: setting({
    name: "FLINTNET_TRAP_RATE_PER_SOURCE",
    description: "Traps a minute from one source that become alerts; the rest are held back, counted, and " +
      "said in the source's next alert.",
    parser: intRange(1, 100_000),
    fallback: 60,
  }),
  total: setting({
    name: "FLINTNET_TRAP_RATE_TOTAL",
    description: "Traps a minute from all sources together that become alerts (sources can be forged).",
    parser: intRange(1, 1_000_000),
    fallback: 600,
  }),
  maxVarbinds: setting({
    name: "FLINTNET_TRAP_MAX_VARBINDS",
    description: "Varbinds kept per trap; the rest are counted in the alert's text.",
    parser: intRange(2, 10_000),
    fallback: 64,
  }),
  maxValueBytes: setting({
    name: "FLINTNET_TRAP_MAX_VALUE_BYTES",
    description: 'Octets kept of one varbind value; longer values are cut and end in "…".',
    parser: intRange(16, 65_536),
    fallback: 1024,
  }),
};

/** Reads the trap limits. */
export function trapSettings(vars: Vars): TrapLimitsConfig {
  const S = TRAP_SETTINGS;
  return {
    perSourcePerMinute: value(S.perSource, vars),
    totalPerMinute: value(S.total, vars),
    maxVarbinds: value(S.maxVarbinds, vars),
    maxValueBytes: value(S.maxValueBytes, vars),
  };
}
