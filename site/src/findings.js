// Sentences that state what a chart shows (peak, minimum and when), for its caption and text label.

/** The rows with the highest and lowest value of get(row) (nulls skipped), or null when there are none. */
export function extremes(rows, get) {
  let high = null;
  let low = null;
  for (const row of rows) {
    const value = get(row);
    if (value === null || value === undefined || !Number.isFinite(value)) continue;
    if (high === null || value > high.value) high = { row, value };
    if (low === null || value < low.value) low = { row, value };
  }
  return high ? { high, low } : null;
}

/**
 * "Peak 54.8 c/kWh at 2026-11-15 18:00 AEST; lowest −5 c/kWh at …." what names the measure;
 * format renders a value with its unit; when renders a row's time or hour.
 */
export function peakSentence(what, rows, get, format, when) {
  const found = extremes(rows, get);
  if (!found) return `No published ${what} in this period.`;
  return `${what[0].toUpperCase()}${what.slice(1)} peaks at ${format(found.high.value)} (${when(found.high.row)}) and is lowest at ${format(found.low.value)} (${when(found.low.row)}).`;
}
