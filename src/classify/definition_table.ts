/**
 * Matching a system group against the product definitions. Every definition is tried; among those that
 * match, the most specific wins:
 *
 * 1. a product beats a generic platform (Linux, FreeBSD, the Net-SNMP agent);
 * 2. then the longer sysObjectID prefix (a product's own OID beats its vendor's whole tree), a clause
 *    that also checked sysDescr counting half an arc more than one that did not;
 * 3. then the earlier definition in the table (families list their specific products first).
 *
 * Regular expressions are compiled on the first match, not at import; a definition whose pattern does
 * not compile is left out (and named in {@link DefinitionTable.invalid}) instead of failing every poll.
 */
import type { MatchClause, ProductDefinition } from "./definition.ts";
import { bare, type CompiledReading, compilePattern, compileReadings, readFirst } from "./sys_descr.ts";
import { oidUnder } from "./enterprises.ts";

/** A definition that matched, with what it read. */
export interface DefinitionMatch {
  /** The definition. */
  definition: ProductDefinition;
  /** What matched, in words: `sysObjectID 1.3.6.1.4.1.9.1.2068`, `sysDescr "IOS-XE"`. */
  evidence: string;
  /** The model it read, if any. */
  model: string | null;
  /** The version it read, if any. */
  version: string | null;
}

/** The best product match and the best generic-platform match; either may be null. */
export interface DefinitionMatches {
  /** The winning product definition. */
  product: DefinitionMatch | null;
  /** The winning generic platform (Linux, FreeBSD, …), used when no product matched. */
  generic: DefinitionMatch | null;
}

interface CompiledClause {
  oids: readonly string[] | null;
  descr: RegExp | null;
  descrNot: RegExp | null;
}

/** A definition with its patterns compiled. */
export interface CompiledDefinition {
  def: ProductDefinition;
  clauses: CompiledClause[];
  model: CompiledReading[];
  version: CompiledReading[];
}

/** Longest piece of sysDescr quoted as evidence. */
const EVIDENCE_QUOTE_MAX = 48;

/** A table of definitions, compiled on first use. */
export class DefinitionTable {
  readonly #defs: readonly ProductDefinition[];
  #compiled: CompiledDefinition[] | undefined;
  #invalid: string[] = [];

  constructor(definitions: readonly ProductDefinition[]) {
    this.#defs = definitions;
  }

  /** The definitions, in table order. */
  get definitions(): readonly ProductDefinition[] {
    return this.#defs;
  }

  /** Definitions left out because a pattern did not compile: "id: reason". */
  get invalid(): readonly string[] {
    this.#compile();
    return this.#invalid;
  }

  /** The best product and generic-platform matches for a system group. */
  match(sysObjectId: string, sysDescr: string): DefinitionMatches {
    const oid = bare(sysObjectId.trim());
    type Best = { c: CompiledDefinition; score: number; evidence: string } | null;
    let product: Best = null;
    let generic: Best = null;
    for (const c of this.#compile()) {
      const hit = bestClause(c, oid, sysDescr);
      if (hit === null) continue;
      const best = c.def.generic ? generic : product;
      // Strictly greater: on a tie the earlier definition keeps its place.
      if (best !== null && hit.score <= best.score) continue;
      if (c.def.generic) generic = { c, ...hit };
      else product = { c, ...hit };
    }
    const done = (m: Best): DefinitionMatch | null =>
      m === null ? null : {
        definition: m.c.def,
        evidence: m.evidence,
        model: readFirst(m.c.model, oid, sysDescr),
        version: readFirst(m.c.version, oid, sysDescr),
      };
    return { product: done(product), generic: done(generic) };
  }

  #compile(): CompiledDefinition[] {
    if (this.#compiled) return this.#compiled;
    const out: CompiledDefinition[] = [];
    for (const def of this.#defs) {
      try {
        out.push(compileDefinition(def));
      } catch (err) {
        this.#invalid.push(`${def.id}: ${(err as Error).message}`);
      }
    }
    return this.#compiled = out;
  }
}

/**
 * Compiles one definition; throws a SyntaxError (naming the clause or reading) on a pattern that is not
 * a regular expression or a clause that checks nothing.
 */
export function compileDefinition(def: ProductDefinition): CompiledDefinition {
  const clauses = def.match.map((m: MatchClause, i): CompiledClause => {
    if (!m.sysObjectId?.length && m.sysDescr === undefined) {
      throw new SyntaxError(`match clause ${i} checks neither sysObjectID nor sysDescr`);
    }
    return {
      oids: m.sysObjectId?.length ? m.sysObjectId.map(bare) : null,
      descr: m.sysDescr === undefined ? null : compilePattern(m.sysDescr, `match clause ${i}`),
      descrNot: m.sysDescrNot === undefined ? null : compilePattern(m.sysDescrNot, `match clause ${i}`),
    };
  });
  return {
    def,
    clauses,
    model: compileReadings(def.model, "model"),
    version: compileReadings(def.version, "version"),
  };
}

/** The best-scoring clause of `c` that matches, with its evidence; null when none does. */
function bestClause(
  c: CompiledDefinition,
  oid: string,
  descr: string,
): { score: number; evidence: string } | null {
  let best: { score: number; evidence: string } | null = null;
  for (const cl of c.clauses) {
    let arcs = 0;
    if (cl.oids !== null) {
      const prefix = longestPrefix(cl.oids, oid);
      if (prefix === null) continue;
      arcs = prefix.split(".").length;
    }
    let quoted: string | null = null;
    if (cl.descr !== null) {
      const m = cl.descr.exec(descr);
      if (m === null) continue;
      quoted = m[0];
    }
    if (cl.descrNot !== null && cl.descrNot.test(descr)) continue;
    const score = arcs + (cl.descr !== null ? 0.5 : 0);
    if (best !== null && score <= best.score) continue;
    const parts: string[] = [];
    if (cl.oids !== null) parts.push(`sysObjectID ${oid}`);
    if (quoted !== null) parts.push(`sysDescr "${quote(quoted)}"`);
    best = { score, evidence: parts.join(", ") };
  }
  return best;
}

function longestPrefix(prefixes: readonly string[], oid: string): string | null {
  if (oid === "") return null;
  let best: string | null = null;
  for (const p of prefixes) if (oidUnder(oid, p) && (best === null || p.length > best.length)) best = p;
  return best;
}

function quote(text: string): string {
  const t = text.replace(/\s+/g, " ").trim().replaceAll('"', "'");
  return t.length > EVIDENCE_QUOTE_MAX ? `${t.slice(0, EVIDENCE_QUOTE_MAX - 1)}…` : t;
}
