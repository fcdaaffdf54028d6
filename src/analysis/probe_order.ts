/**
 * The order in which ProbeLog.close() reads a minute's probes: by family, source address, destination
 * address (words compared unsigned, most significant first), protocol, port; equal probes in the order
 * logged. An LSD radix sort on 16-bit digits over the log's typed columns: a comparator sort of the
 * indexes called a closure per comparison and cost about 70 ms a minute for the bench capture's 20,000
 * probes, this costs a few. Both sorts are stable over the same total order, so the result is the same.
 */

/** Row indexes 0 … n-1 in probe order (see the module comment). No per-row allocation. */
export function probeOrder(
  n: number,
  family: Uint8Array,
  src: Uint32Array,
  dst: Uint32Array,
  proto: Uint8Array,
  port: Uint16Array,
): Int32Array {
  let order = new Int32Array(n), spare = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (n < 2) return order;
  const digit = new Uint16Array(n), count = new Int32Array(65537);
  /** One stable counting pass on `digit`; false when every row has the same digit (nothing moves). */
  const pass = (): boolean => {
    count.fill(0);
    for (let k = 0; k < n; k++) count[digit[order[k]] + 1]++;
    if (count[digit[order[0]] + 1] === n) return false;
    for (let v = 1; v <= 65536; v++) count[v] += count[v - 1];
    for (let k = 0; k < n; k++) {
      const r = order[k];
      spare[count[digit[r]]++] = r;
    }
    [order, spare] = [spare, order];
    return true;
  };
  // least significant key first
  for (let r = 0; r < n; r++) digit[r] = port[r];
  pass();
  for (let r = 0; r < n; r++) digit[r] = proto[r];
  pass();
  for (const words of [dst, src]) {
    for (let w = 3; w >= 0; w--) {
      for (let r = 0; r < n; r++) digit[r] = words[(r << 2) + w] & 0xffff;
      pass();
      for (let r = 0; r < n; r++) digit[r] = words[(r << 2) + w] >>> 16;
      pass();
    }
  }
  for (let r = 0; r < n; r++) digit[r] = family[r];
  pass();
  return order;
}
