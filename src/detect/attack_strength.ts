/**
 * The strengths (0–1) of the attack signals that are judged from sums (attack_signals.ts): a source's
 * syn_flood from its half-open TCP flows, and tiny_packets from the packets and octets of a flow or of all
 * of a source's flows.
 */

/** Packets in an interval before tiny_packets is judged, and the mean size (IP octets) at or under which it counts. */
const TINY_MIN_PACKETS = 100, TINY_BYTES = 64;

/** `x` within [0, 1] (NaN stays NaN). */
export const clamp = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);

/**
 * A source's syn_flood strength: its half-open TCP flows against FLINTNET_ATTACK_SYN_MIN, when they are
 * at least a quarter of it and most of its TCP flows; else 0.
 */
export function synStrength(halfOpen: number, tcpFlows: number, synMin: number): number {
  return halfOpen >= synMin / 4 && halfOpen * 2 >= tcpFlows ? clamp(halfOpen / synMin) : 0;
}

/** The tiny_packets strength of `packets` carrying `bytes` octets: many packets averaging a few octets; else 0. */
export function tinyStrength(packets: number, bytes: number): number {
  return packets >= TINY_MIN_PACKETS && bytes / packets <= TINY_BYTES
    ? clamp(1.5 - (bytes / packets) / TINY_BYTES)
    : 0;
}
