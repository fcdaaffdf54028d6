/**
 * `new Date(ms).toISOString()`, about eight times faster: every flow a page of /flows or a replay shows
 * carries two of these times, and most of them fall on the same day, whose "YYYY-MM-DDT" is kept.
 * iso_time_test.ts holds it to toISOString() (fractions of a millisecond, days before 1970, the range's
 * ends; a time that is not one throws the same RangeError).
 */
let cachedDay = NaN;
let cachedPrefix = "";

const MS_PER_DAY = 86_400_000;

/** The ISO 8601 text of a time in ms since the epoch, exactly as Date#toISOString() writes it. */
export function isoTime(ms: number): string {
  const t = Math.trunc(ms); // the Date constructor's TimeClip
  // Outside ±8.64e15 ms (and NaN) toISOString() throws its RangeError; 8.64e15 + 1 shares a day with 8.64e15.
  if (!(t >= -8.64e15 && t <= 8.64e15)) return new Date(t).toISOString();
  const day = Math.floor(t / MS_PER_DAY);
  if (day !== cachedDay) {
    const full = new Date(t).toISOString();
    cachedDay = day;
    cachedPrefix = full.slice(0, full.indexOf("T") + 1);
  }
  let r = t - day * MS_PER_DAY;
  const h = Math.floor(r / 3_600_000);
  r -= h * 3_600_000;
  const m = Math.floor(r / 60_000);
  r -= m * 60_000;
  const s = Math.floor(r / 1000);
  r -= s * 1000;
  return `${cachedPrefix}${h < 10 ? "0" : ""}${h}:${m < 10 ? "0" : ""}${m}:${s < 10 ? "0" : ""}${s}.${
    r < 100 ? (r < 10 ? "00" : "0") : ""
  }${r}Z`;
}
