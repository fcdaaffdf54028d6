/**
 * The state directory's schema version, in `state-version.json` beside the files it covers
 * (devices.json, arp-state.json, baselines, alert-policy.json, topology, advisories.json, history.db,
 * outbox.db, api-token). An older directory is migrated at start, step by step; a newer one — a downgrade — is
 * refused before anything reads or writes it, with one line saying which version wrote it.
 *
 * Bump {@link STATE_SCHEMA} and append a step to {@link STATE_MIGRATIONS} whenever any state file
 * changes in a way an older Flintnet would misread. (The history database also carries its own
 * schema_version table; its migrations run when it opens.)
 */
import { ConfigError } from "../config/mod.ts";
import { VERSION, writeFileAtomic } from "../base/mod.ts";

/** The marker's file name in the state directory. */
export const STATE_VERSION_FILE = "state-version.json";

/** One migration step: takes the directory from schema N to N + 1. */
export type StateMigration = (stateDir: string) => Promise<void>;

/**
 * Step N takes a directory from schema N to N + 1. Schema 0 is a directory from before the marker
 * (Flintnet 0.x): its files are already in their schema-1 form, so the step only records it.
 */
export const STATE_MIGRATIONS: readonly StateMigration[] = [
  async () => {},
];

/** The schema this Flintnet reads and writes. */
export const STATE_SCHEMA = STATE_MIGRATIONS.length;

/** Entries a fresh state directory may hold before any state is written (the lock). */
const NOT_STATE = new Set(["flintnet.lock"]);

/** True when `stateDir` holds no state yet (a first start): it needs a marker, not a migration. */
export async function isFreshStateDir(stateDir: string): Promise<boolean> {
  for await (const e of Deno.readDir(stateDir)) {
    if (!NOT_STATE.has(e.name) && !e.name.startsWith(".write-test-")) return false;
  }
  return true;
}

/** Records that `stateDir` is of the current schema (a first start). */
export async function markStateSchema(stateDir: string): Promise<void> {
  await writeMarker(stateDir, STATE_SCHEMA);
}

/** What the marker holds. */
interface Marker {
  /** Schema of the directory. */
  schema: number;
  /** The Flintnet version that last wrote the marker. */
  written_by: string;
}

/**
 * The directory's schema: the marker's, or 0 when there is none.
 * @throws ConfigError when the directory is newer than `known`, or the marker is unreadable
 */
export async function checkStateSchema(stateDir: string, known = STATE_SCHEMA): Promise<number> {
  const path = `${stateDir}/${STATE_VERSION_FILE}`;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return 0;
    throw err;
  }
  let marker: Partial<Marker>;
  try {
    marker = JSON.parse(text);
  } catch {
    marker = {};
  }
  if (!Number.isInteger(marker.schema) || marker.schema! < 0) {
    throw new ConfigError(
      `FLINTNET_STATE_DIR=${JSON.stringify(stateDir)} has an unreadable ${STATE_VERSION_FILE}: restore it, ` +
        `or delete it if the directory is from this Flintnet (${VERSION}) or older`,
      "FLINTNET_STATE_DIR",
    );
  }
  if (marker.schema! > known) {
    const by = typeof marker.written_by === "string"
      ? `Flintnet ${marker.written_by.slice(0, 40)}`
      : "a newer Flintnet";
    throw new ConfigError(
      `FLINTNET_STATE_DIR=${
        JSON.stringify(stateDir)
      } holds state of schema ${marker.schema}, written by ${by}; ` +
        `this Flintnet (${VERSION}) reads schema ${known} at most: run that version or newer, or move the ` +
        "directory away to start afresh (nothing in it was changed)",
      "FLINTNET_STATE_DIR",
    );
  }
  return marker.schema!;
}

/**
 * Brings the directory from schema `from` to the current one, one step at a time, recording each step
 * in the marker (a stop half-way resumes from the last step done). Returns the steps run.
 */
export async function migrateState(
  stateDir: string,
  from: number,
  migrations: readonly StateMigration[] = STATE_MIGRATIONS,
): Promise<number> {
  let at = from;
  for (; at < migrations.length; at++) {
    await migrations[at](stateDir);
    await writeMarker(stateDir, at + 1);
  }
  return at - from;
}

async function writeMarker(stateDir: string, schema: number): Promise<void> {
  const marker: Marker = { schema, written_by: VERSION };
  await writeFileAtomic(`${stateDir}/${STATE_VERSION_FILE}`, JSON.stringify(marker) + "\n", { mode: 0o600 });
}
