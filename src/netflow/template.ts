/**
 * A compiled (options) template: per field one 32-bit word, action << 16 | length, with length 0xFFFF
 * for an IPFIX variable-length field (RFC 7011 §7). Built once per template definition from the field
 * specifiers a v9 or IPFIX template record lists; data records are then decoded from it alone.
 */
import { Action, actionFor, lengthFits, VARIABLE_LENGTH } from "./elements.ts";
import type { DomainState } from "./exporter_state.ts";
/** Most fields a template may list; a longer one is refused (it bounds a template's memory). */
export const MAX_TEMPLATE_FIELDS = 256;

/** A template as the store keeps it. */
export interface Template {
  /** Template ID (256–65535). */
  readonly id: number;
  /** Defined by an options template record: its data records describe the exporter, not flows. */
  readonly options: boolean;
  /**
   * One number per field: action << 16 | length (small integers, so a plain array: a typed array per
   * template cost 2 µs to allocate, which a flood of template definitions turned into seconds).
   */
  readonly program: readonly number[];
  /** Octets of the shortest record (a variable-length field counts 1). */
  readonly minLength: number;
  /** Its data records are flows: it has a source and a destination address of one family. */
  readonly flows: boolean;
  /** No variable-length field: every record is minLength octets. */
  readonly fixed: boolean;
  /** It has an IPv6 address field. */
  readonly v6: boolean;
  /** Bytes this template holds (for the memory bound). */
  readonly size: number;
  /** Held by the store (false once withdrawn, replaced or evicted). */
  stored: boolean;
  /** When it was last (re)defined, in the store's count of definitions: its place in the queues. */
  stamp: number;
  /** The domain holding it, while stored. */
  domain: DomainState | undefined;
}

/**
 * Collects the fields of one template record into a reused scratch array, then compiles them; nothing
 * is allocated until compile(), and compile() allocates one small array.
 */
export class TemplateBuilder {
  #fields = new Uint32Array(MAX_TEMPLATE_FIELDS);
  #n = 0;
  #scope = 0;
  /** Fields added so far. */
  get count(): number {
    return this.#n;
  }

  /** Starts a record; the first `scopeFields` fields added are scope fields (options templates). */
  begin(scopeFields = 0): void {
    this.#n = 0;
    this.#scope = scopeFields;
  }

  /**
   * Adds a field: an IANA element id (or v9 type), or an enterprise-specific one (always skipped),
   * of `length` octets. A v9 scope field (`v9Scope`) is typed by RFC 3954 §6.1's scope numbering, not
   * by element id, so it is skipped too. False when the template has too many fields.
   */
  add(id: number, length: number, enterprise: boolean, v9Scope = false): boolean {
    if (this.#n === MAX_TEMPLATE_FIELDS) return false;
    let action = enterprise || v9Scope ? Action.Skip : actionFor(id);
    if (length === VARIABLE_LENGTH || !lengthFits(action, length)) action = Action.Skip;
    this.#fields[this.#n++] = (action << 16) | length;
    return true;
  }

  /** The scope field count given to begin(). */
  get scopeFields(): number {
    return this.#scope;
  }

  /** True when the fields added equal `t`'s (a refresh of the same layout). */
  sameAs(t: Template, options: boolean): boolean {
    if (t.options !== options || t.program.length !== this.#n) return false;
    for (let i = 0; i < this.#n; i++) if (t.program[i] !== this.#fields[i]) return false;
    return true;
  }

  /** The compiled template, or undefined when its records could be empty (every field 0 octets). */
  compile(id: number, options: boolean): Template | undefined {
    const program: number[] = [];
    for (let i = 0; i < this.#n; i++) program.push(this.#fields[i]);
    let minLength = 0, v4 = 0, v6 = 0, fixed = true;
    for (const w of program) {
      const length = w & 0xffff, action = w >>> 16;
      minLength += length === VARIABLE_LENGTH ? 1 : length;
      if (length === VARIABLE_LENGTH) fixed = false;
      if (action === Action.SrcV4 || action === Action.DstV4) v4 |= action === Action.SrcV4 ? 1 : 2;
      if (action === Action.SrcV6 || action === Action.DstV6) v6 |= action === Action.SrcV6 ? 1 : 2;
    }
    // A record of zero octets would never advance through its set.
    if (minLength === 0) return undefined;
    return {
      id,
      options,
      program,
      minLength,
      flows: !options && (v4 === 3 || v6 === 3),
      fixed,
      v6: v6 !== 0,
      size: 64 + 8 * program.length,
      stored: false,
      stamp: 0,
      domain: undefined,
    };
  }
}
