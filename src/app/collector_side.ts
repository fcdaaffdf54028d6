/**
 * The flow collector half of the daemon: NetFlow v5/v9, IPFIX and sFlow listeners whose records go into the
 * same flow pipeline as captured packets (flow table, EWMA baselines), and whose exporters are offered
 * to the device side: each becomes a device, and one that answers SNMP is polled, so the ifIndex
 * values in its records have interface names; an sFlow agent's port counters are the interfaces of one
 * that does not.
 */
import type { DeviceSide } from "./device_side.ts";
import { createLogger, Limiter } from "../base/mod.ts";
import type { Config } from "../config/mod.ts";
import type { FlowPipeline } from "../flow/mod.ts";
import type { PortCounters } from "../events/mod.ts";
import { CollectorService, type FlowRecordBatch, type ListenerConfig } from "../netflow/mod.ts";

/** The listeners the settings ask for (none when all are off). */
function listeners(cfg: Config): ListenerConfig[] {
  const out: ListenerConfig[] = [];
  const { netflowListen, ipfixListen, sflowListen } = cfg.netflow;
  if (netflowListen) out.push({ name: "netflow", ...netflowListen });
  if (ipfixListen) out.push({ name: "ipfix", ...ipfixListen });
  if (sflowListen) out.push({ name: "sflow", ...sflowListen });
  return out;
}

/**
 * What becomes of a new exporter: a device (source "netflow"), probed over SNMP and, when it answers,
 * classified and polled like a host a sweep found. Probes run at most `concurrency` at once (exporters
 * are bounded by the collector, but a burst of spoofed sources must not open thousands of sessions).
 */
export function exporterOffers(
  devices: () => DeviceSide | undefined,
  concurrency: number,
): (ip: string) => void {
  const limiter = new Limiter(concurrency);
  const log = createLogger("netflow");
  return (ip) => {
    const side = devices();
    if (!side) return;
    side.registry.observe({ ip, source: "netflow" });
    limiter.run(async () => {
      const system = await side.inventory.probe(ip);
      if (system) side.inventory.found({ ip, mac: null, system, via: "snmp" });
    }).catch((err) => log.warn("exporter probe failed", { exporter: ip, error: err }));
  };
}

/**
 * The collector, built from the settings; `records` receives every batch (the pipeline, and later the
 * flow history), `exporter` every new exporter's address, `interfaces` the port counters sFlow agents
 * send. Not started: call start().
 */
export function createCollector(
  cfg: Config,
  records: (b: FlowRecordBatch) => void,
  exporter: (ip: string) => void,
  interfaces?: (counters: PortCounters[]) => void,
): CollectorService {
  return new CollectorService({
    listeners: listeners(cfg),
    rcvbufBytes: cfg.netflow.bufferMb << 20,
    sampling: cfg.netflow.sampling,
    onRecords: records,
    onExporter: exporter,
    onInterfaceCounters: interfaces,
  });
}

/** Starts the collector when a listener is configured; a collector that cannot start is logged, not fatal. */
export async function startCollector(cfg: Config, c: CollectorService): Promise<void> {
  if (listeners(cfg).length === 0) return;
  try {
    await c.start();
  } catch (err) {
    createLogger("netflow").error("the flow collector could not start", { error: err });
  }
}

/** Feeds the pipeline (flow table, detectors) with records. */
export function recordsInto(pipeline: FlowPipeline): (b: FlowRecordBatch) => void {
  return (b) => pipeline.consumeRecords(b);
}
