// Chart builders shared by several views. Colours are CSS variables, so the light and dark themes
// apply without redrawing; suppressed cells are filled with the #hatch pattern, never as zero.
import { hourLabel } from "./format.js";

const P = () => globalThis.Plot;
export const HOURS = Array.from({ length: 24 }, (_, h) => h);
export const REGION_ORDER = ["NEM", "NSW1", "QLD1", "VIC1", "SA1", "TAS1"];

/** Hour-of-day band axis; labels every 3 hours, every 6 on a phone so they do not overlap. */
export function hourAxis(width) {
  const step = width < 600 ? 6 : 3;
  return { type: "band", domain: HOURS, label: "Hour of day (AEST) →", tickFormat: (h) => (h % step === 0 ? hourLabel(h) : "") };
}

/** Hour-of-day ticks for a linear 0–23 axis. */
export const hourTicks = (width) => HOURS.filter((h) => h % (width < 600 ? 6 : 3) === 0);

/** A share (0–1) as a percentage with enough digits to tell legend ticks apart. */
export const percent = (v) => `${+(v * 100).toFixed(Math.abs(v) < 0.1 ? 1 : 0)} %`;

/** Regions present in the rows, in the NEM's customary order (unknown names last, as text). */
export function regionsOf(rows) {
  const present = [...new Set(rows.map((row) => String(row.region)))];
  const rank = (name) => (REGION_ORDER.includes(name) ? REGION_ORDER.indexOf(name) : REGION_ORDER.length);
  return present.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Title text of a suppressed cell: explains the hatch in the tooltip. */
export const suppressedTitle = (label) => `${label}: suppressed to protect privacy (too few households in this cell)`;

/**
 * A y × hour-of-day heatmap. rows carry hour_aest, yField, value field and suppressed.
 * colour: {scheme, type, domain, label, format}
 */
export function hourHeatmap({ rows, value, yField = "region", yDomain, width, colour, tip, className }) {
  const Plot = P();
  const shown = rows.filter((row) => !row.suppressed && row[value] !== null && row[value] !== undefined);
  const hidden = rows.filter((row) => row.suppressed);
  const longest = Math.max(4, ...yDomain.map((y) => String(y).length));
  return Plot.plot({
    width,
    height: 56 + 26 * yDomain.length,
    marginLeft: Math.min(200, 12 + 6.5 * longest),
    marginBottom: 36,
    x: hourAxis(width),
    y: { domain: yDomain, label: null },
    color: { legend: true, ...colour, tickFormat: colour.format },
    marks: [
      Plot.cell(shown, {
        x: "hour_aest",
        y: yField,
        fill: value,
        inset: 0.5,
        className: `${className} cells-value`,
        title: (row) => `${row[yField]}, ${hourLabel(row.hour_aest)} AEST: ${tip(row)}`,
      }),
      Plot.cell(hidden, {
        x: "hour_aest",
        y: yField,
        fill: "url(#hatch)",
        inset: 0.5,
        className: `${className} cells-suppressed`,
        title: (row) => suppressedTitle(`${row[yField]}, ${hourLabel(row.hour_aest)} AEST`),
      }),
    ],
  });
}

/** Full-height hatched blocks over suppressed time spans of a time-series chart. */
export function suppressedBands(spans) {
  return P().rectX(spans, {
    x1: "time",
    x2: "end",
    fill: "url(#hatch)",
    className: "suppressed-spans",
    title: () => "suppressed to protect privacy (too few households)",
  });
}

/**
 * A symmetric-log price scale: copes with negative prices and spikes 100× the typical price on one
 * axis, where a linear scale would flatten everything but the spike. Ticks at 0 and ±1, 10, 100…
 * within the data's range, because symlog's own ticks crowd together.
 */
export function symlogPrice(label, values, constant = 1) {
  const finite = values.filter((v) => v !== null && v !== undefined && Number.isFinite(v));
  const low = Math.min(0, ...finite);
  const high = Math.max(0, ...finite);
  const ticks = [0];
  for (let power = Math.floor(Math.log10(constant)); power <= 6; power += 1) {
    const step = 10 ** power;
    if (step <= high * 1.001) ticks.push(step);
    if (-step >= low * 1.001) ticks.push(-step);
  }
  return { type: "symlog", constant, label, grid: true, domain: [low, high], ticks, tickFormat: (v) => v.toLocaleString("en-AU") };
}

/** Time axis in AEST-shifted UTC; the label sits below two-line ticks ("12 PM / Nov 15") so they never collide. */
export const timeAxis = (width) => ({ type: "utc", label: "Time (AEST) →", ticks: Math.max(3, Math.floor(width / 120)), labelOffset: 44 });
export const TIME_MARGIN_BOTTOM = 50;
