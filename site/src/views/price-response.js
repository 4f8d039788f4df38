// View 2: how the cohort's net import moves against its baseline as the buy price rises.
import { chartFigure, NO_VALUES } from "../chart.js";
import { controlsRow, regionChoice } from "../controls.js";
import { legend } from "../dom.js";
import { peakSentence } from "../findings.js";
import { formatInteger, formatNumber } from "../format.js";
import { cleanRows } from "../plausible.js";
import { regionsOf } from "../plots.js";
import { hasNoValues } from "../series.js";
import { implausibleNotice, isAllSuppressed, privacyNotice } from "../view-frame.js";

export const spec = {
  id: "price-response",
  file: "price_response",
  tab: "Price response",
  title: "Price response: do households use less when power is dear?",
  explain:
    "For each band of buy price, the average change in a household's grid import against its own baseline (what it would have drawn without the optimiser), with a 95 % confidence band from resampling whole households. A line that falls as prices rise means households really do respond to price; that response is what the NEM can count on in a price spike. Bins with too few days or households are greyed: the evidence there is thin. Counts are households and household-intervals (one household's five minutes).",
};

const kw = (value) => `${formatNumber(value)} kW`;

export function render(container, loaded, { params }) {
  const { bins = [] } = loaded.body;
  const rows = cleanRows(loaded.body.rows);
  const choice = regionChoice(regionsOf(rows), params);
  const selected = rows.filter((row) => String(row.region) === choice.value).map((row) => ({ ...row, label: String(bins[row.bin]?.label ?? `bin ${row.bin}`) }));
  container.append(...controlsRow(choice), ...implausibleNotice(rows.implausible), ...chart(selected, bins, choice.value, loaded.body.meta));
  return { region: choice.value };
}

function chart(rows, bins, region, meta) {
  if (isAllSuppressed(rows)) return [privacyNotice(meta, `price response in ${region}`)];
  const Plot = globalThis.Plot;
  const labels = bins.map((bin, i) => String(bin?.label ?? `bin ${i}`));
  const shown = rows.filter((row) => !row.suppressed && row.mean_delta_kw !== null);
  const solid = shown.filter((row) => !row.thin);
  const thin = shown.filter((row) => row.thin);
  const hidden = rows.filter((row) => row.suppressed);
  // A suppressed bin is hatched over the whole range the other bins use, so it cannot read as zero.
  const low = Math.min(0, ...shown.map((row) => row.ci_low_kw ?? row.mean_delta_kw));
  const high = Math.max(0, ...shown.map((row) => row.ci_high_kw ?? row.mean_delta_kw));
  // Per-bin counts under the axis: households and household-intervals; households only on a phone.
  const countText = (narrow) => (row) =>
    row.suppressed ? "suppr." : narrow ? `${formatInteger(row.households)} hh` : `${formatInteger(row.households)} hh\n${formatInteger(row.intervals)} hh-int.`;
  const tip = (row) => `${row.label}: ${kw(row.mean_delta_kw)} (95 %: ${formatNumber(row.ci_low_kw)} to ${formatNumber(row.ci_high_kw)})\n${formatInteger(row.households)} households, ${formatInteger(row.intervals)} household-intervals, ${formatInteger(row.days)} days${row.thin ? "; thin evidence" : ""}`;
  return [
    chartFigure({
      id: "price-response",
      caption: `Change in grid import against baseline by buy price, ${region} (kW per household; negative = uses less; hh = households, hh-int. = household-intervals)`,
      summary: peakSentence("the change in import", shown, (row) => row.mean_delta_kw, kw, (row) => `bin ${row.label}`),
      legendNode: legend([["Mean with 95 % interval", "var(--accent)"], ["Thin evidence", "var(--muted)"], ["Suppressed", "hatch"]]),
      empty: hasNoValues(rows, ["mean_delta_kw"]) && hidden.length === 0 ? NO_VALUES : null,
      draw: (width) =>
        Plot.plot({
          width,
          height: 320,
          marginBottom: width < 600 ? 84 : 64,
          x: { domain: labels, label: "Buy price bin →", padding: 0.2, tickRotate: width < 600 ? -30 : 0 },
          y: { label: "Δ import (kW per household)", grid: true },
          marks: [
            Plot.ruleY([0], { stroke: "var(--muted)" }),
            Plot.barY(hidden, { x: "label", y1: () => low, y2: () => high, fill: "url(#hatch)", className: "bins-suppressed", title: (row) => `${row.label}: suppressed to protect privacy`, tip: true }),
            Plot.ruleX(solid, { x: "label", y1: "ci_low_kw", y2: "ci_high_kw", stroke: "var(--accent)", strokeWidth: 3, className: "ci-solid" }),
            Plot.ruleX(thin, { x: "label", y1: "ci_low_kw", y2: "ci_high_kw", stroke: "var(--muted)", strokeWidth: 3, strokeOpacity: 0.5, className: "ci-thin" }),
            Plot.dot(solid, { x: "label", y: "mean_delta_kw", r: 5, fill: "var(--accent)", className: "bins-solid", title: tip, tip: true }),
            Plot.dot(thin, { x: "label", y: "mean_delta_kw", r: 5, fill: "var(--bg)", stroke: "var(--muted)", className: "bins-thin", title: tip, tip: true }),
            Plot.text(rows, { x: "label", frameAnchor: "bottom", dy: width < 600 ? 66 : 48, text: countText(width < 600), fill: "var(--muted)", fontSize: 10, className: "bin-counts" }),
          ],
        }),
      data: {
        caption: `price response by buy-price bin, ${region}`,
        columns: [
          { label: "Buy price bin", get: (row) => row.label, key: true },
          { label: "Mean Δ import (kW per household)", get: (row) => row.mean_delta_kw },
          { label: "95 % low (kW)", get: (row) => row.ci_low_kw },
          { label: "95 % high (kW)", get: (row) => row.ci_high_kw },
          { label: "Households", get: (row) => row.households, format: formatInteger },
          { label: "Household-intervals", get: (row) => row.intervals, format: formatInteger },
          { label: "Days (AEST dates)", get: (row) => row.days, format: formatInteger },
          { label: "Evidence", get: (row) => (row.thin ? "thin" : "enough") },
        ],
        rows,
      },
    }),
  ];
}
