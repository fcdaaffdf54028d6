/**
 * advisories.json in the state directory: the advisories open when the daemon stopped. Without it a
 * restart (an upgrade, a reboot) raised — and mailed — every open advisory again, though nothing had
 * changed: "SNMP public in use" once more after each reboot, for as long as it is not fixed. Resolved
 * advisories are not kept here (the alert history has them). Pure text in, text out: the daemon's side
 * (app/advisory_keeper.ts) reads and writes the file.
 */
import {
  ADVISORY_SUBJECT_KINDS,
  ADVISORY_TYPES,
  type AdvisoryEvent,
  type AdvisoryType,
} from "../events/mod.ts";

/** The file's name in the state directory. */
export const ADVISORY_FILE = "advisories.json";
/** The file's format. */
export const ADVISORY_FILE_VERSION = 1;

/** One open advisory as the book holds it. */
export interface SavedAdvisory {
  /** The book's key: the type and the analyzer's key for the condition. */
  key: string;
  /** The advisory in its latest state (phase raised). */
  event: AdvisoryEvent;
  /** Runs in a row without the condition so far. */
  missed: number;
  /** Runs without it that resolve it. */
  resolveAfter: number;
}

/** The file cannot be read as advisories: it is moved aside. */
export class AdvisoryFileError extends Error {
  override name = "AdvisoryFileError";
}

/** The file's text for `open`. */
export function advisoryFileText(open: readonly SavedAdvisory[]): string {
  return JSON.stringify({ version: ADVISORY_FILE_VERSION, open });
}

const SEVERITIES = new Set(["info", "warning", "critical"]);
const KINDS = new Set<string>(ADVISORY_SUBJECT_KINDS);
const TYPES = new Set<string>(ADVISORY_TYPES);

/**
 * The open advisories in `text`. Entries of a type not in `types` (an analyzer switched off since) are
 * skipped and counted; an entry malformed in any other way makes the file unusable.
 * @throws AdvisoryFileError when the text is not such a file
 */
export function parseAdvisoryFile(
  text: string,
  types: ReadonlySet<AdvisoryType>,
): { open: SavedAdvisory[]; skipped: number } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new AdvisoryFileError(`not JSON: ${(err as Error).message}`);
  }
  const d = doc as { version?: unknown; open?: unknown };
  if (
    typeof doc !== "object" || doc === null || d.version !== ADVISORY_FILE_VERSION || !Array.isArray(d.open)
  ) {
    throw new AdvisoryFileError(`not a version ${ADVISORY_FILE_VERSION} advisories file`);
  }
  const open: SavedAdvisory[] = [];
  let skipped = 0;
  d.open.forEach((entry: unknown, i: number) => {
    const problem = entryProblem(entry);
    if (problem !== null) throw new AdvisoryFileError(`entry ${i}: ${problem}`);
    const saved = entry as SavedAdvisory;
    if (types.has(saved.event.type)) open.push(saved);
    else skipped++;
  });
  return { open, skipped };
}

/** What is wrong with one entry, or null. */
function entryProblem(entry: unknown): string | null {
  if (typeof entry !== "object" || entry === null) return "not an object";
  const s = entry as Record<string, unknown>;
  if (typeof s.key !== "string" || s.key === "") return "no key";
  for (const n of ["missed", "resolveAfter"] as const) {
    if (!Number.isSafeInteger(s[n]) || (s[n] as number) < 0) return `${n} is not a count`;
  }
  const e = s.event as Record<string, unknown> | null;
  if (typeof e !== "object" || e === null) return "no event";
  if (e.kind !== "advisory" || e.phase !== "raised") return "not an open advisory";
  if (!TYPES.has(e.type as string)) return `unknown type ${JSON.stringify(e.type)}`;
  if (!SEVERITIES.has(e.severity as string)) return "unknown severity";
  if (!KINDS.has(e.subject_kind as string)) return "unknown subject kind";
  for (const n of ["advisory_id", "ts", "subject", "summary", "action", "raised_at"]) {
    if (typeof e[n] !== "string") return `${n} is not text`;
  }
  if (e.ip !== null && typeof e.ip !== "string") return "ip is not an address";
  if (typeof e.evidence !== "object" || e.evidence === null || Array.isArray(e.evidence)) {
    return "evidence is not an object";
  }
  if (e.resolved_at !== null || e.resolution !== null) return "resolved";
  return null;
}
