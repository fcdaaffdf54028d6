/**
 * The FLINTNET_* settings of PCAP recording (docs/visibility.md, "PCAP recording"): bounds on the files in
 * `<state>/recordings/`, and recordings that start themselves (off by default: they write packets — which
 * can hold passwords, mail and other people's private data — to disk without anyone asking).
 */
import { boolean, duration, intRange } from "./parsers.ts";
import { setting, value, type Vars } from "./setting.ts";

/** Resolved recording settings. */
export interface RecordingConfig {
  /** Start recordings on anomaly and security events (and FLINTNET_RECORDING_BPS), keeping the look-back ring. */
  auto: boolean;
  /** Seconds an auto-started recording runs. */
  seconds: number;
  /** Seconds before the trigger an auto-started recording begins with (0: no look-back ring). */
  preSeconds: number;
  /** MiB of each capture's tap ring (rounded down to a power of two). */
  ringMb: number;
  /** A host above this many bits/s in an anomaly interval starts a recording; 0: never. */
  bps: number;
  /** Seconds after an auto-started recording of a host before another may start. */
  cooldownS: number;
  /** MiB one recording file may reach. */
  maxFileMb: number;
  /** MiB all recording files together may take. */
  maxTotalMb: number;
  /** Recordings kept at most. */
  maxCount: number;
}

/** The settings table rows of this file, in `--help` order. */
export const RECORDING_SETTINGS = {
  auto: setting({
    name: "FLINTNET_RECORDING_AUTO",
    description: "1: record a host's packets to a pcap when an anomaly or security event names it (or it " +
      "exceeds FLINTNET_RECORDING_BPS), with the seconds before. Off by default: it writes packet contents " +
      "(private data) to disk unasked.",
    parser: boolean,
    fallback: false,
  }),
  seconds: setting({
    name: "FLINTNET_RECORDING_SECONDS",
    description: "How long an auto-started recording runs.",
    parser: duration(1, 3600),
    fallback: 60,
  }),
  preSeconds: setting({
    name: "FLINTNET_RECORDING_PRE_SECONDS",
    description: "Seconds before the trigger an auto-started recording begins with, from a ring of recent " +
      "frames kept while FLINTNET_RECORDING_AUTO=1 (0: no ring).",
    parser: intRange(0, 600),
    fallback: 10,
  }),
  ringMb: setting({
    name: "FLINTNET_RECORDING_RING_MB",
    description: "MiB of the ring of recent frames per capture interface (a power of two: rounded down); " +
      "bounds how far back FLINTNET_RECORDING_PRE_SECONDS reaches on a busy link.",
    parser: intRange(1, 1024),
    fallback: 32,
  }),
  bps: setting({
    name: "FLINTNET_RECORDING_BPS",
    description:
      "With FLINTNET_RECORDING_AUTO=1: a host carrying more bits/s than this in an anomaly interval " +
      "starts a recording; 0: off.",
    parser: intRange(0, 1_000_000_000_000),
    fallback: 0,
  }),
  cooldownS: setting({
    name: "FLINTNET_RECORDING_COOLDOWN",
    description: "After an auto-started recording of a host, how long before another may start for it.",
    parser: duration(0, 86_400),
    fallback: 600,
  }),
  maxFileMb: setting({
    name: "FLINTNET_RECORDING_MAX_MB",
    description: "MiB one recording file may reach; it stops there.",
    parser: intRange(1, 1_000_000),
    fallback: 100,
  }),
  maxTotalMb: setting({
    name: "FLINTNET_RECORDINGS_MAX_MB",
    description: "MiB all recording files may take together; the oldest finished ones are deleted first.",
    parser: intRange(1, 10_000_000),
    fallback: 1000,
  }),
  maxCount: setting({
    name: "FLINTNET_RECORDINGS_MAX",
    description: "Recordings kept at most; the oldest finished ones are deleted first.",
    parser: intRange(1, 100_000),
    fallback: 50,
  }),
};

/** Reads the recording settings. */
export function recordingSettings(vars: Vars): RecordingConfig {
  const S = RECORDING_SETTINGS;
  return {
    auto: value(S.auto, vars),
    seconds: value(S.seconds, vars),
    preSeconds: value(S.preSeconds, vars),
    ringMb: value(S.ringMb, vars),
    bps: value(S.bps, vars),
    cooldownS: value(S.cooldownS, vars),
    maxFileMb: value(S.maxFileMb, vars),
    maxTotalMb: value(S.maxTotalMb, vars),
    maxCount: value(S.maxCount, vars),
  };
}
