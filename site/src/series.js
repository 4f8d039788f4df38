// Dense series ({start, interval, <field>: [...], suppressed: [...]}) to rows Plot can draw.
import { aestDate, intervalMs } from "./format.js";
import { cleanRow } from "./plausible.js";

/**
 * One row per index: {time (AEST-shifted Date), end, index, suppressed, <field>: value}.
 * A suppressed point keeps null values: it is drawn as suppressed, never as zero. Implausible
 * values become null too; the array's .implausible counts them.
 */
export function denseRows(block, fields) {
  if (!block || typeof block !== "object") return [];
  const step = intervalMs(block.interval);
  const start = Date.parse(block.start);
  if (Number.isNaN(start)) throw new Error("a series has no valid start time");
  const suppressed = new Set(Array.isArray(block.suppressed) ? block.suppressed : []);
  const length = Math.max(0, ...fields.map((field) => (Array.isArray(block[field]) ? block[field].length : 0)));
  const rows = [];
  const dropped = { count: 0 };
  for (let i = 0; i < length; i += 1) {
    const row = { index: i, time: aestDate(start + i * step), end: aestDate(start + (i + 1) * step), suppressed: suppressed.has(i) };
    for (const field of fields) {
      const value = Array.isArray(block[field]) ? block[field][i] : null;
      row[field] = row.suppressed || value === undefined ? null : value;
    }
    rows.push(cleanRow(row, dropped));
  }
  rows.implausible = dropped.count;
  return rows;
}

/** Runs of consecutive suppressed rows as {time, end} spans, so a long gap is one shaded block. */
export function suppressedSpans(rows) {
  const spans = [];
  for (const row of rows) {
    if (!row.suppressed) continue;
    const last = spans[spans.length - 1];
    if (last && last.end.getTime() === row.time.getTime()) last.end = row.end;
    else spans.push({ time: row.time, end: row.end });
  }
  return spans;
}

/** True when no row has a value in any of the fields: the period has nothing published to draw. */
export const hasNoValues = (rows, fields) => rows.every((row) => fields.every((field) => row[field] === null || row[field] === undefined));
