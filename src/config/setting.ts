/**
 * The machinery of the FLINTNET_* settings table: a setting is a name, a parser, a default and a line of
 * documentation; reading one gives the typed value or a {@link ConfigError} that names the variable, the
 * value (never a secret's) and what is accepted. The tables themselves live in config.ts,
 * config_snmp.ts and config_alerts.ts.
 */
import { type Parser, Rejected } from "./parsers.ts";

/** A bad setting: the message is one line naming the variable, the value and what is accepted. */
export class ConfigError extends Error {
  /** The variable at fault, when there is one. */
  readonly variable: string | undefined;
  constructor(message: string, variable?: string) {
    super(message);
    this.name = "ConfigError";
    this.variable = variable;
  }
}

/** What a setting table row is made from. */
export interface SettingSpec<T> {
  /** Environment variable name. */
  name: string;
  /** What the setting does (one sentence for `--help`). */
  description: string;
  /** How its text is read. */
  parser: Parser<T>;
  /** The default; absent when the loader works it out (then defaultText says how). */
  fallback?: T;
  /** The default in words, when `fallback` cannot show it. */
  defaultText?: string;
  /** Never echo the value (say its length). */
  secret?: boolean;
}

/** A setting table row. */
export interface Setting<T> extends SettingSpec<T> {
  /** The default as `--help` shows it. */
  defaultText: string;
}

/** A setting table row from its spec. */
export function setting<T>(spec: SettingSpec<T>): Setting<T> {
  const defaultText = spec.defaultText ??
    (spec.fallback === undefined ? "none" : spec.parser.format(spec.fallback));
  return { ...spec, defaultText };
}

/** Environment-like variables. */
export type Vars = Record<string, string | undefined>;

/** The error for a value a setting refuses. */
export function invalid(s: Setting<unknown>, text: string, detail: string): ConfigError {
  const shown = s.secret
    ? `${s.name} (${[...text].length} characters)`
    : `${s.name}=${JSON.stringify(text.length > 120 ? text.slice(0, 120) + "…" : text)}`;
  return new ConfigError(
    `${shown} is not valid: ${detail ? detail + "; " : ""}expected ${s.parser.accepted}`,
    s.name,
  );
}

/** The parsed value, or undefined when unset or empty. */
export function read<T>(s: Setting<T>, vars: Vars): T | undefined {
  const text = vars[s.name]?.trim();
  if (!text) return undefined;
  try {
    return s.parser.parse(text);
  } catch (err) {
    if (err instanceof Rejected) throw invalid(s as Setting<unknown>, text, err.message);
    throw err;
  }
}

/** The parsed value, else the setting's static default. */
export function value<T>(s: Setting<T>, vars: Vars): T {
  const v = read(s, vars);
  if (v !== undefined) return v;
  if (s.fallback === undefined) throw new Error(`${s.name} has no static default`);
  return structuredClone(s.fallback);
}
