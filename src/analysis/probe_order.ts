/**
 * The order in which ProbeLog.close() reads a minute's probes: by family, source address, destination
 * address (words compared unsigned, most significant first), protocol, port; equal probes in the order
 * logged. An LSD radix sort on 16-bit digits (8-bit ones below 8,192 rows) over the log's typed columns:
 * a comparator sort of the indexes called a closure per comparison and cost about 70 ms a minute for the
 * bench capture's 20,000 probes, this costs a few. Both sorts are stable over the same total order, so the result is the same.
 */

/**
 * Row indexes 0 … n-1 in probe order, or only the rows in `rows` (ascending) when given. No per-row
 * allocation.
 */
export function probeOrder(
  n: number,
  family: Uint8Array,
  src: Uint32Array,
  dst: Uint32Array,
  proto: Uint8Array,
  port: Uint16Array,
  rows?: Int32Array,
): Int32Array {
  const digit = new Uint16Array(n);
  let order = rows ? rows.slice() : new Int32Array(n);
  if (!rows) { for (let i = 0; i < n; i++) order[i] = i; }
  n = order.length;
  let spare = new Int32Array(n);
  if (n < 2) return order;
  const count = new Int32Array(65537);
  /**
   * One stable counting pass on the bits of `digit` that `mask` leaves after `shift`; nothing moves when
   * every row has the same digit.
   */
  const pass = (shift: number, mask: number): void => {
    count.fill(0, 0, mask + 2);
    for (let k = 0; k < n; k++) count[((digit[order[k]] >>> shift) & mask) + 1]++;
    if (count[((digit[order[0]] >>> shift) & mask) + 1] === n) return;
    for (let v = 1; v <= mask + 1; v++) count[v] += count[v - 1];
    for (let k = 0; k < n; k++) {
      const r = order[k];
      spare[count[(digit[r] >>> shift) & mask]++] = r;
    }
    [order, spare] = [spare, order];
  };
  // A 16-bit key in one pass of 65,536 buckets, or in two of 256 when there are few rows to order (the
  // buckets, not the rows, are then most of a pass).
  const wide = n >= 8192;
  const key16 = () => {
    if (wide) pass(0, 0xffff);
    else {
      pass(0, 0xff);
      pass(8, 0xff);
    }
  };
  // least significant key first; digits are set for the rows being ordered only
  for (let k = 0; k < n; k++) digit[order[k]] = port[order[k]];
  key16();
  for (let k = 0; k < n; k++) digit[order[k]] = proto[order[k]];
  pass(0, 0xff);
  for (const words of [dst, src]) {
    for (let w = 3; w >= 0; w--) {
      for (let k = 0; k < n; k++) digit[order[k]] = words[(order[k] << 2) + w] & 0xffff;
      key16();
      for (let k = 0; k < n; k++) digit[order[k]] = words[(order[k] << 2) + w] >>> 16;
      key16();
    }
  }
  for (let k = 0; k < n; k++) digit[order[k]] = family[order[k]];
  pass(0, 0xff);
  return order;
}
