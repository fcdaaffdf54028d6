/**
 * Reading a model or a version out of a device's system group, the way a definition says to (its
 * `model` and `version` readings): the capture groups of a sysDescr pattern (joined by one space), a sysObjectID → product-name
 * table from the vendor's MIB, or a fixed value. sysDescr is free text a peer chose, so what is read is
 * trimmed, has its runs of white space made one space, and is cut to {@link MAX_READ_LENGTH}.
 */
import type { Reading } from "./definition.ts";

/** Longest model or version kept: names and versions are short; a longer capture is a runaway pattern. */
export const MAX_READ_LENGTH = 64;

/** A reading made ready to use. */
export type CompiledReading =
  | { kind: "descr"; re: RegExp }
  | { kind: "oid"; table: ReadonlyMap<string, string> }
  | { kind: "value"; value: string };

/** Compiles readings; throws a SyntaxError naming `what` when a pattern is not a regular expression. */
export function compileReadings(readings: readonly Reading[] | undefined, what: string): CompiledReading[] {
  return (readings ?? []).map((r): CompiledReading => {
    if ("sysDescr" in r) return { kind: "descr", re: compilePattern(r.sysDescr, what) };
    if ("sysObjectId" in r) {
      return { kind: "oid", table: new Map(Object.entries(r.sysObjectId).map(([k, v]) => [bare(k), v])) };
    }
    return { kind: "value", value: r.value };
  });
}

/** The first reading that yields a non-empty text, tidied; null when none does. */
export function readFirst(
  readings: readonly CompiledReading[],
  sysObjectId: string,
  sysDescr: string,
): string | null {
  for (const r of readings) {
    let raw: string | undefined;
    if (r.kind === "descr") raw = r.re.exec(sysDescr)?.slice(1).filter((g) => g !== undefined).join(" ");
    else if (r.kind === "oid") raw = r.table.get(bare(sysObjectId));
    else raw = r.value;
    const text = tidy(raw);
    if (text !== null) return text;
  }
  return null;
}

/** A definition's pattern as a case-insensitive RegExp; a SyntaxError names `what` and the pattern. */
export function compilePattern(source: string, what: string): RegExp {
  try {
    return new RegExp(source, "i");
  } catch (err) {
    throw new SyntaxError(
      `${what}: pattern /${source}/ is not a regular expression (${(err as Error).message})`,
    );
  }
}

/** A dotted OID without its leading dot. */
export function bare(oid: string): string {
  return oid.startsWith(".") ? oid.slice(1) : oid;
}

function tidy(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const text = raw.replace(/\s+/g, " ").trim();
  if (text === "") return null;
  return text.length > MAX_READ_LENGTH ? text.slice(0, MAX_READ_LENGTH).trimEnd() : text;
}
