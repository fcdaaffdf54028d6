/**
 * Configuration: every FLINTNET_* setting (tables per area, parsers, the loader), and the API token
 * that zero configuration creates. The only file other folders import.
 */
export {
  closestSetting,
  type Config,
  ConfigError,
  describeSettings,
  type DetectorConfig,
  loadConfig,
  loadDetectorConfig,
  readEnvFile,
} from "./load.ts";
export type { AnomalyConfig, ArpWatchConfig, ListenAddress, SettingDescription, TlsFiles } from "./load.ts";
export type { AlertConfig, SmtpConfig } from "./alert_settings.ts";
export type { DiscoveryConfig, SnmpConfig } from "./snmp_settings.ts";
export type { HttpLimitsConfig } from "./http_settings.ts";
export type { TrapLimitsConfig } from "./trap_settings.ts";
export { interfaceNames } from "./system_probe.ts";
export { type ApiTokenFile, loadOrCreateApiToken } from "./api_token.ts";
// Production commands (issue 14): config check, the example env file.
export { checkSettings, type ConfigProblem } from "./config_check.ts";
export { DEFAULT_ENV_FILE } from "./core_settings.ts";
export { generateApiToken } from "./api_token.ts";
export type { HttpSinkTarget, SinkConfig } from "./sink_settings.ts";
export { envExample } from "./env_example.ts";
export { defaultGateways, type DefaultRoute, defaultRoutes } from "./default_routes.ts";
export { type VisibilityConfig, visibilitySettings } from "./visibility_settings.ts";
export { type RecordingConfig } from "./recording_settings.ts";
export type { AnalysisConfig, ScanThreshold } from "./analysis_settings.ts";
