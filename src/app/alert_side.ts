/**
 * The alert half of the daemon, built from the configuration: history (SQLite, retention), the per-MAC
 * ring the device page shows, mutes, the alert policy people edit at runtime, and delivery by e-mail and
 * webhook through the persistent outbox. Everything here listens to the bus; nothing publishes.
 */
import { join } from "node:path";
import {
  AlertDelivery,
  AlertPolicyStore,
  AlertRing,
  defaultAlertPolicy,
  Mutes,
  Outbox,
  SmtpMailer,
} from "../alert/mod.ts";
import type { EventBus } from "../events/mod.ts";
import { type Config, ConfigError } from "../config/mod.ts";
import { createLogger } from "../base/mod.ts";
import { type HistoryDb, HistoryRecorder, HistorySchemaError, openHistory } from "../store/mod.ts";

/** The running alert side. */
export interface AlertSide {
  /** Alert history. */
  readonly history: HistoryDb;
  /** Mute rules. */
  readonly mutes: Mutes;
  /** The last 20 security alerts per MAC. */
  readonly ring: AlertRing;
  /** Thresholds, cooldown and routing, editable with PUT /config/alerts. */
  readonly policy: AlertPolicyStore;
  /** Counters for /stats. */
  stats(): Record<string, unknown>;
  /** Detaches from the bus, finishes the send in flight, closes the databases. */
  stop(): Promise<void>;
}

/** Opens the stores, loads the policy and starts delivery. */
export async function startAlertSide(cfg: Config, bus: EventBus, dashboardUrl: string): Promise<AlertSide> {
  const log = createLogger("alert");
  const history = openHistoryOrRefuse(join(cfg.stateDir, "history.db"), cfg);
  if (history.recovered) {
    log.error("alert history was unreadable and has been moved aside", { ...history.recovered });
  }
  const mutes = new Mutes(history);
  const recorder = new HistoryRecorder({ history, retentionDays: cfg.alerts.historyDays, mutes });
  const ring = new AlertRing();
  const policy = new AlertPolicyStore({
    stateDir: cfg.stateDir,
    defaults: defaultAlertPolicy({
      anomaly: {
        k: cfg.anomaly.k,
        ratio: cfg.anomaly.ratio,
        warmupIntervals: cfg.anomaly.warmupIntervals,
        minBytes: cfg.anomaly.minBytes,
      },
      cooldownS: cfg.alerts.cooldownS,
      learningPeriodS: cfg.arp.learningPeriodS,
    }),
  });
  const loaded = await policy.load();
  if (loaded.status === "corrupt") {
    log.error("alert policy file was unreadable: moved aside, the environment's settings apply", {
      moved_to: loaded.movedTo,
      reason: loaded.reason,
    });
  }
  const outbox = new Outbox({ path: join(cfg.stateDir, "outbox.db") });
  const smtp = cfg.alerts.smtp;
  const delivery = new AlertDelivery({
    bus,
    policy,
    outbox,
    email: smtp ? { mailer: new SmtpMailer(smtp), to: smtp.to } : undefined,
    webhookUrls: cfg.alerts.webhookUrls,
    dashboardUrl,
    isMuted: (e) => mutes.isMuted(e),
    hostname: Deno.hostname(),
  });
  recorder.attach(bus);
  ring.attach(bus);
  delivery.start();
  log.info("alert delivery", {
    email: smtp
      ? `${smtp.to.length} recipient(s) via ${smtp.host}:${smtp.port}`
      : "off (FLINTNET_SMTP_HOST unset)",
    webhooks: cfg.alerts.webhookUrls.length,
    pending: outbox.pending(),
  });
  return {
    history,
    mutes,
    ring,
    policy,
    stats: () => ({
      history: { ...history.stats(), ...recorder.stats() },
      delivery: delivery.counters(),
    }),
    async stop() {
      recorder.detach();
      ring.detach();
      await delivery.stop();
      outbox.close();
      history.close();
    },
  };
}

/**
 * The history, with its bounds; one written by a newer Flintnet (a downgrade) stops start-up in one line.
 * @throws ConfigError naming FLINTNET_STATE_DIR
 */
function openHistoryOrRefuse(path: string, cfg: Config): HistoryDb {
  try {
    return openHistory(path, {
      maxAlerts: cfg.alerts.historyMaxAlerts,
      maxBytes: cfg.alerts.historyMaxMb * 1024 * 1024,
    });
  } catch (err) {
    if (!(err instanceof HistorySchemaError)) throw err;
    throw new ConfigError(
      `FLINTNET_STATE_DIR=${JSON.stringify(cfg.stateDir)}: ${err.message}`,
      "FLINTNET_STATE_DIR",
    );
  }
}
