/**
 * The one JSON shape of a learned traffic baseline, shown alike for a flow (`GET /flows`, replay) and in
 * an anomaly (the baseline the interval was compared with), and the arithmetic that turns the stored
 * log-volume statistics into bytes a person can read.
 *
 * Baselines are kept on log-volume, y = ln(bytes + LOG_OFFSET_BYTES): traffic varies by factors, not by
 * amounts, so on a log scale ordinary noise is symmetric and a spread means the same on a 10 kB and a
 * 10 MB flow. The centre is an EWMA of y, the spread an EWMA of |y − centre| (a mean absolute
 * deviation, which one outlier moves far less than a variance).
 */

/** Added to the bytes of an interval before the logarithm: about one full packet, so near-idle intervals do not stretch the scale. */
export const LOG_OFFSET_BYTES = 1500;

/**
 * σ ≈ this × the mean absolute deviation, for normally distributed log-volume (√(π/2)). Spreads in
 * the rules and in `spread_factor` are these σ.
 */
export const SIGMA_PER_MAD = Math.sqrt(Math.PI / 2);

/** Where a baseline comes from. */
export type BaselineSource = "recent" | "hour_of_day";

/** A baseline as every output shows it. */
export interface BaselineJson {
  /**
   * "recent": learned from the last intervals (an EWMA on log-volume); "hour_of_day": what this hour of
   * the day usually carries, learned over the last days.
   */
  source: BaselineSource;
  /** Octets an interval usually carries: the baseline's centre (a median, not a mean). */
  typical_bytes: number;
  /**
   * How far an ordinary interval strays, as a factor: about two intervals in three lie within
   * typical_bytes ÷ spread_factor … typical_bytes × spread_factor (e^σ of log-volume).
   */
  spread_factor: number;
  /** Intervals with traffic it was learned from. */
  intervals: number;
  /** True when it has learned enough to alert on (past FLINTNET_ANOMALY_WARMUP; an hour of day: two days). */
  mature: boolean;
}

/** Bytes per interval at log-volume `y`. */
export function bytesAt(y: number): number {
  return Math.max(0, Math.exp(y) - LOG_OFFSET_BYTES);
}

/** Log-volume of `bytes` in an interval. */
export function logVolume(bytes: number): number {
  return Math.log(bytes + LOG_OFFSET_BYTES);
}

/** σ of log-volume from its mean absolute deviation. */
export function sigmaOf(mad: number): number {
  return SIGMA_PER_MAD * mad;
}

/** The JSON of a baseline with centre `mean` and mean absolute deviation `mad`, both of log-volume. */
export function baselineJson(
  source: BaselineSource,
  mean: number,
  mad: number,
  intervals: number,
  mature: boolean,
): BaselineJson {
  return {
    source,
    typical_bytes: intervals === 0 ? 0 : Math.round(bytesAt(mean)),
    spread_factor: Math.round(Math.exp(sigmaOf(mad)) * 1000) / 1000,
    intervals,
    mature,
  };
}
