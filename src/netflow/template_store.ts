/**
 * Templates kept per (exporter, observation domain, template ID), bounded per exporter and overall.
 * When a bound is reached the template defined (or refreshed) longest ago goes first: exporters
 * resend the templates they use (RFC 7011 §8.4, RFC 3954 §5.2), so a template in use stays fresh,
 * while a flood of new template IDs only pushes out its own kind. Every operation is O(1).
 */
import type { DomainState } from "./exporter_state.ts";
import type { Template } from "./template.ts";

/** Bounds of a {@link TemplateStore}. */
export interface TemplateLimits {
  /** Templates one exporter may hold (all its domains together). */
  perExporter: number;
  /** Templates all exporters together may hold. */
  total: number;
}

/** The templates of every exporter. */
export class TemplateStore {
  readonly #limits: TemplateLimits;
  /** Every template, oldest definition first. */
  readonly #order = new Set<Template>();
  /** The domain each template belongs to. */
  readonly #owner = new Map<Template, DomainState>();
  /** Templates removed to stay within the bounds. */
  evicted = 0;

  constructor(limits: TemplateLimits) {
    this.#limits = limits;
  }

  /** Templates held now. */
  get size(): number {
    return this.#order.size;
  }

  /** The template `id` of `domain`, or undefined. */
  get(domain: DomainState, id: number): Template | undefined {
    return domain.templates.get(id);
  }

  /** Defines (or redefines) `t` in `domain`, evicting the oldest templates beyond the bounds. */
  define(domain: DomainState, t: Template): void {
    const old = domain.templates.get(t.id);
    if (old) this.#forget(domain, old);
    const exporter = domain.exporter;
    while (exporter.templateOrder.size >= this.#limits.perExporter) {
      this.#evict(exporter.templateOrder.values().next().value!);
    }
    while (this.#order.size >= this.#limits.total) this.#evict(this.#order.values().next().value!);
    domain.templates.set(t.id, t);
    exporter.templateOrder.add(t);
    this.#order.add(t);
    this.#owner.set(t, domain);
  }

  /** A template sent again unchanged: it becomes the newest, so the bounds evict it last. */
  refresh(domain: DomainState, t: Template): void {
    domain.exporter.templateOrder.delete(t);
    domain.exporter.templateOrder.add(t);
    this.#order.delete(t);
    this.#order.add(t);
  }

  /** Withdraws template `id` of `domain` (RFC 7011 §8.1); false when there was none. */
  withdraw(domain: DomainState, id: number): boolean {
    const t = domain.templates.get(id);
    if (!t) return false;
    this.#forget(domain, t);
    return true;
  }

  /** Withdraws every template (or every options template) of `domain` (RFC 7011 §8.1, set ID 2 or 3). */
  withdrawAll(domain: DomainState, options: boolean): number {
    let n = 0;
    for (const t of [...domain.templates.values()]) {
      if (t.options === options) {
        this.#forget(domain, t);
        n++;
      }
    }
    return n;
  }

  /** Drops every template of every domain of `domains`' exporter (an exporter forgotten when idle). */
  dropAll(domains: Iterable<DomainState>): void {
    for (const d of domains) for (const t of [...d.templates.values()]) this.#forget(d, t);
  }

  #evict(t: Template): void {
    this.evicted++;
    const domain = this.#owner.get(t);
    if (domain) this.#forget(domain, t);
    else this.#order.delete(t); // unreachable: every template has an owner; never loop on one that has none
  }

  #forget(domain: DomainState, t: Template): void {
    domain.templates.delete(t.id);
    domain.exporter.templateOrder.delete(t);
    this.#order.delete(t);
    this.#owner.delete(t);
  }
}
