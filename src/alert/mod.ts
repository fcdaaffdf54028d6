/**
 * What happens to an alert: recent anomalies and a ring of security alerts per MAC for the API, mute
 * rules, the runtime-editable alert policy, cooldowns, e-mail (nodemailer) and webhooks through a
 * persistent outbox.
 * The only file other folders import.
 */
export {
  ALERT_CHANNELS,
  AlertPolicyStore,
  defaultAlertPolicy,
  MAX_COOLDOWN_S,
  MAX_LEARNING_PERIOD_S,
  PolicyError,
  ROUTE_KINDS,
} from "./alert_policy.ts";
export { AlertRing } from "./alert_ring.ts";
export { AnomalyStore, type StoredAnomaly } from "./anomaly_store.ts";
export { AlertDelivery } from "./delivery.ts";
export { SmtpMailer } from "./mailer.ts";
export { type MuteRule, Mutes, type NewMute } from "./mutes.ts";
export { Outbox } from "./outbox.ts";
export { type AlertChannel, type AlertPolicy, type RouteKind } from "./alert_policy.ts";
