// Chart builders shared by several views. Colours are CSS variables, so the light and dark themes
// apply without redrawing; suppressed cells are filled with the #hatch pattern, never as zero.
import { hourAxis } from "./axes.js";
import { hourLabel } from "./format.js";

const P = () => globalThis.Plot;
export const REGION_ORDER = ["NEM", "NSW1", "QLD1", "VIC1", "SA1", "TAS1"];

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
    color: { legend: true, ...colour, tickFormat: colour.format ?? ((v) => v.toLocaleString("en-AU")) },
    marks: [
      Plot.cell(shown, {
        x: "hour_aest",
        y: yField,
        fill: value,
        inset: 0.5,
        className: `${className} cells-value`,
        title: (row) => `${row[yField]}, ${hourLabel(row.hour_aest)} AEST: ${tip(row)}`,
        tip: true,
      }),
      Plot.cell(hidden, {
        x: "hour_aest",
        y: yField,
        fill: "url(#hatch)",
        inset: 0.5,
        className: `${className} cells-suppressed`,
        title: (row) => suppressedTitle(`${row[yField]}, ${hourLabel(row.hour_aest)} AEST`),
        tip: true,
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
