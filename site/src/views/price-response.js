// View 2: how the cohort's net import moves against its baseline as the buy price rises.
import { chartFigure } from "../chart.js";
import { dataTable, el, legend, picker } from "../dom.js";
import { formatInteger, formatNumber } from "../format.js";
import { regionsOf } from "../plots.js";
import { isAllSuppressed, privacyNotice } from "../view-frame.js";

export const spec = {
  id: "price-response",
  file: "price_response",
  tab: "Price response",
  title: "Price response: do households use less when power is dear?",
  explain:
    "For each band of buy price, the average change in a household's grid import against its own baseline (what it would have drawn without the optimiser), with a 95 % confidence band from resampling whole households. A line that falls as prices rise means households really do respond to price; that response is what the NEM can count on in a price spike. Bins with too few days or households are greyed: the evidence there is thin.",
};

export function render(container, loaded) {
  const { bins = [], rows = [] } = loaded.body;
  const regions = regionsOf(rows);
  let region = regions.includes("NEM") ? "NEM" : regions[0];
  const holder = el("div");
  const draw = () => {
    const selected = rows.filter((row) => String(row.region) === region).map((row) => ({ ...row, label: String(bins[row.bin]?.label ?? `bin ${row.bin}`) }));
    holder.replaceChildren(...chart(selected, bins, region, loaded.body.meta));
  };
  container.append(el("div", { class: "controls" }, picker("Region", regions, region, (value) => ((region = value), draw()))), holder);
  draw();
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
  // Per-bin counts under the axis: households and 5-minute intervals; households only on a phone.
  const countText = (narrow) => (row) =>
    row.suppressed ? "suppr." : narrow ? `${formatInteger(row.households)} hh` : `${formatInteger(row.households)} hh\n${formatInteger(row.intervals)} int.`;
  const table = dataTable(
    `price response by buy-price bin, ${region}`,
    [
      { label: "Buy price bin", value: (row) => row.label, hideWhenSuppressed: false },
      { label: "Mean Δ kW", value: (row) => formatNumber(row.mean_delta_kw), suppressed: (row) => row.suppressed },
      { label: "95 % low", value: (row) => formatNumber(row.ci_low_kw) },
      { label: "95 % high", value: (row) => formatNumber(row.ci_high_kw) },
      { label: "Households", value: (row) => formatInteger(row.households) },
      { label: "Intervals", value: (row) => formatInteger(row.intervals) },
      { label: "Days", value: (row) => formatInteger(row.days) },
      { label: "Evidence", value: (row) => (row.thin ? "thin" : "enough") },
    ],
    rows,
  );
  return [
    chartFigure({
      id: "price-response",
      caption: `Change in grid import against baseline by buy price, ${region} (kW per household; negative = uses less; hh = households, int. = 5-minute intervals)`,
      summary: `Dot chart over ${labels.length} price bins in ${region}: ${solid.length} with enough evidence, ${thin.length} thin, ${hidden.length} suppressed.`,
      legendNode: legend([["Mean with 95 % interval", "var(--accent)"], ["Thin evidence", "var(--muted)"], ["Suppressed", "hatch"]]),
      draw: (width) =>
        Plot.plot({
          width,
          height: 320,
          marginBottom: width < 600 ? 84 : 64,
          x: { domain: labels, label: "Buy price bin →", padding: 0.2, tickRotate: width < 600 ? -30 : 0 },
          y: { label: "Δ import (kW)", grid: true },
          marks: [
            Plot.ruleY([0], { stroke: "var(--muted)" }),
            Plot.barY(hidden, { x: "label", y1: () => low, y2: () => high, fill: "url(#hatch)", className: "bins-suppressed", title: (row) => `${row.label}: suppressed to protect privacy` }),
            Plot.ruleX(solid, { x: "label", y1: "ci_low_kw", y2: "ci_high_kw", stroke: "var(--accent)", strokeWidth: 3, className: "ci-solid" }),
            Plot.ruleX(thin, { x: "label", y1: "ci_low_kw", y2: "ci_high_kw", stroke: "var(--muted)", strokeWidth: 3, strokeOpacity: 0.5, className: "ci-thin" }),
            Plot.dot(solid, { x: "label", y: "mean_delta_kw", r: 5, fill: "var(--accent)", className: "bins-solid", title: (row) => `${row.label}: ${formatNumber(row.mean_delta_kw)} kW (${formatNumber(row.ci_low_kw)} to ${formatNumber(row.ci_high_kw)})` }),
            Plot.dot(thin, { x: "label", y: "mean_delta_kw", r: 5, fill: "var(--bg)", stroke: "var(--muted)", className: "bins-thin", title: (row) => `${row.label}: ${formatNumber(row.mean_delta_kw)} kW, thin evidence (${formatInteger(row.days)} days)` }),
            Plot.text(rows, { x: "label", frameAnchor: "bottom", dy: width < 600 ? 66 : 48, text: countText(width < 600), fill: "var(--muted)", fontSize: 10, className: "bin-counts" }),
          ],
        }),
      table,
    }),
  ];
}
