/**
 * One port's IF-MIB counters as a device pushed them (an sFlow agent's counter sample): from the collector,
 * which reads them, to the inventory, which makes them interfaces.
 */
export interface PortCounters {
  /** The device's address, as text. */
  exporter: string;
  /** The agent's uptime when it sent them, ms. */
  uptimeMs: number;
  /** ifIndex. */
  ifIndex: number;
  /** ifType (IANAifType-MIB). */
  ifType: number;
  /** bits per second; null when unknown. */
  speedBps: number | null;
  /** ifAdminStatus up. */
  adminUp: boolean;
  /** ifOperStatus up. */
  operUp: boolean;
  /** ifInOctets, 64-bit; null when the agent does not have it. */
  inOctets: bigint | null;
  /** ifOutOctets, 64-bit. */
  outOctets: bigint | null;
  /** ifInErrors. */
  inErrors: number | null;
  /** ifOutErrors. */
  outErrors: number | null;
  /** ifInDiscards. */
  inDiscards: number | null;
}
