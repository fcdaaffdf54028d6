/**
 * Templates kept per (exporter, observation domain, template ID), bounded per exporter and overall.
 * When a bound is reached the template defined (or refreshed) longest ago goes first: exporters
 * resend the templates they use (RFC 7011 §8.4, RFC 3954 §5.2), so a template in use stays fresh,
 * while a flood of new template IDs only pushes out its own kind. Every operation is O(1) amortised.
 */
import type { DomainState } from "./exporter_state.ts";
import type { Template } from "./template.ts";
import { TemplateQueue } from "./template_queue.ts";

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
  readonly #queue = new TemplateQueue();
  #stamp = 0;
  /** Templates removed to stay within the bounds. */
  evicted = 0;

  constructor(limits: TemplateLimits) {
    this.#limits = limits;
  }

  /** Templates held now. */
  get size(): number {
    return this.#queue.size;
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
    while (exporter.templateQueue.size >= this.#limits.perExporter) {
      this.#evict(exporter.templateQueue.oldest()!);
    }
    while (this.#queue.size >= this.#limits.total) this.#evict(this.#queue.oldest()!);
    domain.templates.set(t.id, t);
    t.stored = true;
    t.stamp = ++this.#stamp;
    exporter.templateQueue.push(t, true);
    this.#queue.push(t, true);
    t.domain = domain;
  }

  /** A template sent again unchanged: it becomes the newest, so the bounds evict it last. */
  refresh(domain: DomainState, t: Template): void {
    t.stamp = ++this.#stamp;
    domain.exporter.templateQueue.push(t, false);
    this.#queue.push(t, false);
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

  /** Drops every template of `domains` (an exporter forgotten while idle). */
  dropAll(domains: Iterable<DomainState>): void {
    for (const d of domains) for (const t of [...d.templates.values()]) this.#forget(d, t);
  }

  #evict(t: Template): void {
    this.evicted++;
    this.#forget(t.domain!, t);
  }

  #forget(domain: DomainState, t: Template): void {
    domain.templates.delete(t.id);
    t.stored = false;
    domain.exporter.templateQueue.removed();
    this.#queue.removed();
    t.domain = undefined;
  }
}
