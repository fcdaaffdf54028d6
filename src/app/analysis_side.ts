/**
 * The advisory half of the daemon: the analysis engine over the flow table (one minute at a time, on the
 * pipeline's clock), the advisories it leaves open across a restart (`advisories.json`), and the flow
 * history its minutes go to (`flows.sqlite` in the state directory, in its own Worker), from the
 * configuration.
 */
import { join } from "node:path";
import { type AnalysisEngine, type AnalysisStats, createAnalysis } from "../analysis/mod.ts";
import { createLogger } from "../base/mod.ts";
import type { Config } from "../config/mod.ts";
import { PRIVATE_NETWORKS } from "../detect/mod.ts";
import type { EventBus } from "../events/mod.ts";
import type { FlowTable } from "../flow/mod.ts";
import { parseCidr } from "../net/mod.ts";
import { FlowHistory, type FlowHistoryStats } from "../store/mod.ts";
import { AdvisoryKeeper } from "./advisory_keeper.ts";

/** The analysis engine and the flow history. */
export interface AnalysisSide {
  /** The engine: a detector for the pipeline (it must come before the anomaly detector). */
  readonly engine: AnalysisEngine;
  /** The flow history, once started (undefined when FLINTNET_FLOW_RETENTION is 0 or it failed to open). */
  readonly history: FlowHistory | undefined;
  /** Interface names for exporter interfaces (the device registry, once the device side runs). */
  interfaceNames: ((exporter: string, ifIndex: number) => string | null) | undefined;
  /** Opens the flow history. */
  start(): Promise<void>;
  /** Closes it, writing what is queued. */
  stop(): Promise<void>;
  /** For /stats. */
  stats(): { analysis: AnalysisStats; flow_history: FlowHistoryStats | null };
}

/** Builds the engine now (the pipeline needs it); the history opens in start(). */
export function createAnalysisSide(cfg: Config, table: FlowTable, bus: EventBus): AnalysisSide {
  const log = createLogger("analysis");
  let history: FlowHistory | undefined;
  const local = (cfg.cidrs.length > 0 ? cfg.cidrs : PRIVATE_NETWORKS).map(parseCidr);
  // The appliance's own addresses: its discovery sweeps are not host sweeps to report.
  const own = Deno.networkInterfaces().map((i) => i.address.replace(/%.*$/, ""));
  const engine = createAnalysis(
    table,
    cfg.analysis,
    local,
    (e) => bus.publish(e),
    (s) => history?.write(s),
    own,
    (exporter, ifIndex) => side.interfaceNames?.(exporter, ifIndex) ?? null,
  );
  // The advisories open when Flintnet last stopped stay open rather than being raised (and mailed) again.
  const advisories = new AdvisoryKeeper(cfg.stateDir, engine);
  const side: AnalysisSide = {
    engine,
    interfaceNames: undefined,
    get history() {
      return history;
    },
    async start() {
      await advisories.load();
      advisories.start();
      if (cfg.analysis.flowRetentionS === 0) return;
      const path = join(cfg.stateDir, "flows.sqlite");
      try {
        history = await FlowHistory.open(
          path,
          cfg.analysis.flowRetentionS * 1000,
          cfg.analysis.historyMaxMb * 1024 * 1024,
        );
      } catch (err) {
        // Advisories and the live table work without it; say so once.
        log.error("flow history could not be opened: GET /flows?since= reads the live table only", {
          path,
          error: err,
        });
      }
    },
    async stop() {
      await advisories.stop();
      await history?.close();
    },
    stats: () => ({ analysis: engine.stats(), flow_history: history?.stats() ?? null }),
  };
  return side;
}
