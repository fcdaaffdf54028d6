/** A fixed-capacity FIFO that overwrites its oldest item: bounded memory whatever the input rate. */
export class RingBuffer<T> {
  readonly capacity: number;
  #items: (T | undefined)[];
  #start = 0;
  #length = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be ≥ 1, got ${capacity}`);
    }
    this.capacity = capacity;
    // Grows as items arrive (writes are sequential until the first wrap), so a large bound costs
    // nothing until it is used.
    this.#items = [];
  }

  /** Items held now. */
  get length(): number {
    return this.#length;
  }

  /** Appends; returns the item pushed out when full, else undefined. */
  push(item: T): T | undefined {
    if (this.#length < this.capacity) {
      this.#items[(this.#start + this.#length++) % this.capacity] = item;
      return undefined;
    }
    const out = this.#items[this.#start];
    this.#items[this.#start] = item;
    this.#start = (this.#start + 1) % this.capacity;
    return out;
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const out = this.#items[this.#start];
    this.#items[this.#start] = undefined;
    this.#start = (this.#start + 1) % this.capacity;
    this.#length--;
    return out;
  }

  /** Oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.#length; i++) out.push(this.#items[(this.#start + i) % this.capacity] as T);
    return out;
  }

  /** Forgets everything. */
  clear(): void {
    this.#items = [];
    this.#start = 0;
    this.#length = 0;
  }
}
