/**
 * Templates in the order they were last defined, for evicting the oldest in O(1): an array with a head
 * index, where a template redefined or removed leaves a stale entry that is skipped (its stamp no longer
 * matches, or it is no longer stored) and compacted away once stale entries outnumber live ones.
 * A Set used as a queue was 10× slower here: deleting from its front leaves holes every iteration
 * from the start walks over.
 */
import type { Template } from "./template.ts";

/** A FIFO of templates. */
export class TemplateQueue {
  #items: Template[] = [];
  #stamps: number[] = [];
  #head = 0;
  /** Live templates in the queue. */
  size = 0;

  /** Appends `t` (already stamped); a template pushed again is only live at its newest place. */
  push(t: Template, fresh: boolean): void {
    this.#items.push(t);
    this.#stamps.push(t.stamp);
    if (fresh) this.size++;
    if (this.#items.length - this.#head > 2 * this.size + 64) this.#compact();
  }

  /** One live template left the store (withdrawn, replaced or evicted elsewhere). */
  removed(): void {
    this.size--;
  }

  /** The oldest live template, or undefined. */
  oldest(): Template | undefined {
    while (this.#head < this.#items.length) {
      const t = this.#items[this.#head];
      if (t.stored && t.stamp === this.#stamps[this.#head]) return t;
      this.#head++;
    }
    return undefined;
  }

  #compact(): void {
    const items: Template[] = [], stamps: number[] = [];
    for (let i = this.#head; i < this.#items.length; i++) {
      const t = this.#items[i];
      if (t.stored && t.stamp === this.#stamps[i]) {
        items.push(t);
        stamps.push(this.#stamps[i]);
      }
    }
    this.#items = items;
    this.#stamps = stamps;
    this.#head = 0;
  }
}
