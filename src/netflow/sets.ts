/**
 * The sets (v9: flowsets) of a NetFlow v9 or IPFIX message: template sets and options template sets
 * are compiled into the domain's templates (IPFIX withdrawals remove them), data sets go to the
 * collector to be decoded or kept until their template comes.
 *
 * Framing: RFC 3954 §5 (v9: flowset ID 0 templates, 1 options templates, ≥ 256 data) and RFC 7011 §3.3
 * (IPFIX: set ID 2 templates, 3 options templates, ≥ 256 data; §3.4.2 enterprise bit; §8.1 withdrawal).
 * A set whose length breaks the framing ends the message; other problems are noted and skipped.
 */
import { u16 } from "../net/mod.ts";
import type { DecodeContext } from "./record_decoder.ts";
import type { DomainState } from "./exporter_state.ts";
import { NetflowMalformed as M } from "./malformed.ts";
import type { Template, TemplateBuilder } from "./template.ts";
import type { TemplateStore } from "./template_store.ts";

/** v9 flowset IDs (RFC 3954 §5.2, §6.1). */
const V9_TEMPLATE = 0, V9_OPTIONS = 1;
/** IPFIX set IDs (RFC 7011 §3.3.2). */
const IPFIX_TEMPLATE = 2, IPFIX_OPTIONS = 3;
/** The first data set ID in both protocols. */
const FIRST_DATA_SET = 256;

/** What set walking needs from the collector. */
export interface SetHost {
  /** Scratch for template fields. */
  readonly builder: TemplateBuilder;
  /** Where templates live. */
  readonly templates: TemplateStore;
  /** The message being decoded. */
  readonly ctx: DecodeContext;
  /** Notes a problem; the datagram is counted malformed under the first one. */
  problem(reason: number): void;
  /** A template was (re)defined with a new layout: decode what waited for it. */
  defined(domain: DomainState, t: Template): void;
  /**
   * New template layouts this message may still define; install() counts it down and refuses past 0
   * (calling refusedTemplate()), so one datagram of 8,000 template records cannot take 40 ms.
   */
  templateBudget: number;
  /** A template definition refused by the budget. */
  refusedTemplate(): void;
  /** A data set's body: returns the data records in it, or -1 when it cannot know (kept, or broken). */
  dataSet(b: Uint8Array, pos: number, end: number, templateId: number): number;
}

/** True when `b[pos, end)` holds only zeros (RFC 7011 §3.3.1 padding). */
function padding(b: Uint8Array, pos: number, end: number): boolean {
  for (let i = pos; i < end; i++) if (b[i] !== 0) return false;
  return true;
}

/**
 * Walks the sets of `b[pos, end)`. Returns the data records they held (IPFIX counts them in its
 * sequence numbers), or -1 when a set could not be counted.
 */
export function walkSets(host: SetHost, b: Uint8Array, pos: number, end: number, ipfix: boolean): number {
  let records = 0;
  while (pos < end) {
    if (end - pos < 4) {
      // v9 allows a message to end in padding; a shorter-than-header remainder is nothing else.
      if (!padding(b, pos, end)) host.problem(M.BadSetLength);
      return records;
    }
    const id = u16(b, pos), length = u16(b, pos + 2);
    if (length < 4 || length > end - pos) {
      host.problem(M.BadSetLength);
      return -1;
    }
    const body = pos + 4, setEnd = pos + length;
    if (id >= FIRST_DATA_SET) {
      const n = host.dataSet(b, body, setEnd, id);
      records = n < 0 || records < 0 ? -1 : records + n;
    } else if (ipfix ? id === IPFIX_TEMPLATE : id === V9_TEMPLATE) {
      templateSet(host, b, body, setEnd, ipfix, false);
    } else if (ipfix ? id === IPFIX_OPTIONS : id === V9_OPTIONS) {
      if (ipfix) templateSet(host, b, body, setEnd, true, true);
      else v9OptionsSet(host, b, body, setEnd);
    } else host.problem(M.ReservedSetId);
    pos = setEnd;
  }
  return records;
}

/** Reads `count` field specifiers from `p` into the builder; the position after them, or -1. */
function readFields(
  host: SetHost,
  b: Uint8Array,
  p: number,
  end: number,
  count: number,
  ipfix: boolean,
  v9ScopeFields = 0,
): number {
  for (let i = 0; i < count; i++) {
    if (end - p < 4) return -1;
    let id = u16(b, p);
    const length = u16(b, p + 2);
    p += 4;
    let enterprise = false;
    if (ipfix && id & 0x8000) {
      // RFC 7011 §3.2: the enterprise bit adds a 4-octet Private Enterprise Number; skipped by length.
      if (end - p < 4) return -1;
      p += 4;
      id &= 0x7fff;
      enterprise = true;
    }
    if (!host.builder.add(id, length, enterprise, i < v9ScopeFields)) {
      host.problem(M.TemplateTooLarge);
      return -2;
    }
  }
  return p;
}

/** Installs the template in the builder as `id` of the message's domain. */
function install(host: SetHost, id: number, options: boolean): void {
  const domain = host.ctx.domain, store = host.templates;
  const old = store.get(domain, id);
  if (old && host.builder.sameAs(old, options)) {
    store.refresh(domain, old);
    return;
  }
  if (host.templateBudget <= 0) return host.refusedTemplate();
  host.templateBudget--;
  const t = host.builder.compile(id, options);
  if (!t) {
    host.problem(M.BadTemplate);
    if (old) store.withdraw(domain, id); // the layout changed to one that cannot be decoded
    return;
  }
  store.define(domain, t);
  host.defined(domain, t);
}

/**
 * A template set (v9 RFC 3954 §5.2, IPFIX RFC 7011 §3.4.1) or an IPFIX options template set (§3.4.2.2:
 * a scope field count follows the field count). In IPFIX a record without fields withdraws its
 * template, and one carrying the set's own ID withdraws them all (§8.1); v9 has no withdrawal.
 */
function templateSet(
  host: SetHost,
  b: Uint8Array,
  p: number,
  end: number,
  ipfix: boolean,
  options: boolean,
): void {
  const setId = options ? IPFIX_OPTIONS : IPFIX_TEMPLATE;
  while (end - p >= 4) {
    const id = u16(b, p), count = u16(b, p + 2);
    if (id < FIRST_DATA_SET) {
      if (ipfix && id === setId && count === 0) {
        host.templates.withdrawAll(host.ctx.domain, options);
        p += 4;
        continue;
      }
      if (!padding(b, p, end)) host.problem(M.BadTemplate);
      return;
    }
    if (count === 0) {
      if (ipfix) host.templates.withdraw(host.ctx.domain, id);
      else host.problem(M.EmptyTemplate);
      p += 4;
      continue;
    }
    let scope = 0, head = 4;
    if (options) {
      scope = end - p >= 6 ? u16(b, p + 4) : 0;
      head = 6;
      // §3.4.2.2: the Scope Field Count MUST NOT be zero, nor above the Field Count.
      if (scope === 0 || scope > count) {
        host.problem(M.BadTemplate);
        return;
      }
    }
    host.builder.begin(scope);
    const next = readFields(host, b, p + head, end, count, ipfix);
    if (next < 0) {
      if (next === -1) host.problem(M.BadTemplate);
      return;
    }
    install(host, id, options);
    p = next;
  }
  if (p < end && !padding(b, p, end)) host.problem(M.BadTemplate);
}

/** A v9 options template flowset (RFC 3954 §6.1): scope and option lengths are in octets. */
function v9OptionsSet(host: SetHost, b: Uint8Array, p: number, end: number): void {
  while (end - p >= 6) {
    const id = u16(b, p), scopeLength = u16(b, p + 2), optionLength = u16(b, p + 4);
    if (id < FIRST_DATA_SET) {
      if (!padding(b, p, end)) host.problem(M.BadTemplate);
      return;
    }
    if (scopeLength % 4 !== 0 || optionLength % 4 !== 0 || scopeLength + optionLength === 0) {
      host.problem(M.BadTemplate);
      return;
    }
    const scope = scopeLength / 4, count = scope + optionLength / 4;
    host.builder.begin(scope);
    const next = readFields(host, b, p + 6, end, count, false, scope);
    if (next < 0) {
      if (next === -1) host.problem(M.BadTemplate);
      return;
    }
    install(host, id, true);
    p = next;
  }
  if (p < end && !padding(b, p, end)) host.problem(M.BadTemplate);
}
