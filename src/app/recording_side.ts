/**
 * PCAP recording, wired: the Recorder over one tap ring per capture, the API's view of it, and the
 * auto-start (FLINTNET_RECORDING_AUTO=1) on anomaly and security events and, with FLINTNET_RECORDING_BPS,
 * a Detector that the pipeline must run before the anomaly detector (which starts each flow's next interval).
 */
import { tapRingBytes } from "../capture/mod.ts";
import type { Config } from "../config/mod.ts";
import type { EventBus } from "../events/mod.ts";
import type { Detector, FlowTable } from "../flow/mod.ts";
import type { RecordingSource } from "../http/mod.ts";
import { parseCidr } from "../net/mod.ts";
import { AutoRecorder, BandwidthTrigger, Recorder, type TapTarget } from "../recording/mod.ts";

const MIB = 1048576;

/** The recording side of the daemon. */
export interface RecordingSide {
  /** What /recordings drives. */
  readonly source: RecordingSource;
  /** The bandwidth trigger, when FLINTNET_RECORDING_BPS is set with auto-start on. */
  readonly detector: Detector | undefined;
  /** Reads the kept recordings and arms the captures' taps (before the captures start). */
  start(captures: TapTarget[]): Promise<void>;
  /** Stops every recording. */
  stop(): Promise<void>;
  /** Counters for /stats. */
  stats(): Record<string, unknown>;
}

/** Builds the recording side from the configuration. */
export function createRecordingSide(cfg: Config, table: FlowTable, bus: EventBus): RecordingSide {
  const r = cfg.recording;
  // The look-back ring costs one copy per frame: kept only when something may need the seconds before.
  const keepAll = r.auto && r.preSeconds > 0;
  const recorder = new Recorder({
    dir: `${cfg.stateDir}/recordings`,
    maxFileBytes: r.maxFileMb * MIB,
    maxTotalBytes: r.maxTotalMb * MIB,
    maxCount: r.maxCount,
    snaplen: cfg.snaplen,
    ringBytes: tapRingBytes(r.ringMb),
    keepAll,
  });
  const auto = new AutoRecorder(recorder, {
    seconds: r.seconds,
    preSeconds: keepAll ? r.preSeconds : 0,
    cooldownS: r.cooldownS,
    localNetworks: cfg.cidrs.map(parseCidr),
  });
  const detector = r.auto && r.bps > 0 ? new BandwidthTrigger(table, auto, r.bps) : undefined;
  return {
    detector,
    source: {
      maxPreSeconds: keepAll ? r.preSeconds : 0,
      list: () => recorder.index.list(),
      start: (req) => recorder.begin({ ...req, trigger: "api", reason: null }),
      stop: (id) => recorder.end(id),
      remove: (id) => recorder.remove(id),
      download: (id) => recorder.download(id),
    },
    async start(captures) {
      await recorder.start(captures);
      if (r.auto) auto.attach(bus);
    },
    async stop() {
      auto.detach();
      await recorder.stop();
    },
    stats: () => ({ ...recorder.stats(), auto_skipped: { ...auto.skipped } }),
  };
}
