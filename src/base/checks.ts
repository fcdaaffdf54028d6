/**
 * Checks of options passed in code (sizes, intervals, limits), with one wording for every component:
 * "`name` must be a positive whole number, got 0". What a user types is checked by the settings table
 * (config/) with its own messages; these catch a programming mistake early and name it.
 */

/** `v` when it is a finite number greater than 0. @throws RangeError naming `name` */
export function positive(name: string, v: number): number {
  if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`${name} must be a positive number, got ${v}`);
  return v;
}

/** `v` when it is a whole number ≥ 1. @throws RangeError naming `name` */
export function positiveInteger(name: string, v: number): number {
  if (!(Number.isInteger(v) && v >= 1)) {
    throw new RangeError(`${name} must be a positive whole number, got ${v}`);
  }
  return v;
}
