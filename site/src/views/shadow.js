// View 7: the optimiser's shadow prices (LP duals): what each constraint is worth, and how often it binds.
import { chartFigure } from "../chart.js";
import { dataTable, el, legend, picker } from "../dom.js";
import { formatInteger, formatNumber, formatShare, hourLabel } from "../format.js";
import { hourHeatmap, hourTicks, percent, regionsOf, suppressedTitle, symlogPrice } from "../plots.js";
import { isAllSuppressed, privacyNotice } from "../view-frame.js";

export const spec = {
  id: "shadow",
  file: "shadow",
  tab: "Shadow prices",
  title: "Shadow prices: what each constraint is worth",
  explain:
    "Every few minutes each household's optimiser solves a small linear programme; its shadow prices (dual values) say how many dollars one more kilowatt-hour of headroom on a constraint would be worth. The energy dual is the household's own marginal value of energy; the envelope duals price the network's import and export limits. Shown by hour of day in market time with the spread across households, per region, and how often each constraint binds at all. Binding envelopes with high duals point to where network capacity is worth most.",
};

const DUAL_LABELS = {
  shadow_energy_price: "Energy",
  shadow_load_forecast_price: "Load forecast",
  shadow_solar_forecast_price: "Solar forecast",
  shadow_envelope_import_price: "Import envelope",
  shadow_envelope_export_price: "Export envelope",
  shadow_power_balance_price: "Asset power balance",
};
const dualLabel = (dual) => DUAL_LABELS[dual] ?? String(dual);

export function render(container, loaded) {
  const cells = loaded.body.cells ?? [];
  const meta = loaded.body.meta;
  if (isAllSuppressed(cells)) {
    container.append(privacyNotice(meta, "the shadow price view"));
    return;
  }
  const duals = (loaded.body.duals ?? [...new Set(cells.map((cell) => cell.dual))]).map(String);
  const regions = regionsOf(cells);
  let dual = duals[0];
  let region = regions.includes("NEM") ? "NEM" : regions[0];
  const holder = el("div");
  const draw = () => holder.replaceChildren(...charts(cells, duals, regions, dual, region, meta));
  container.append(
    el(
      "div",
      { class: "controls" },
      picker("Constraint", duals.map((value) => ({ value, label: dualLabel(value) })), dual, (value) => ((dual = value), draw())),
      picker("Region", regions, region, (value) => ((region = value), draw())),
    ),
    holder,
  );
  draw();
}

function charts(cells, duals, regions, dual, region, meta) {
  const Plot = globalThis.Plot;
  const rows = cells.filter((cell) => String(cell.dual) === dual && String(cell.region) === region).sort((a, b) => a.hour_aest - b.hour_aest);
  const shown = rows.filter((row) => !row.suppressed);
  const hidden = rows.filter((row) => row.suppressed);
  const figures = [];
  if (isAllSuppressed(rows)) figures.push(privacyNotice(meta, `the ${dualLabel(dual)} dual in ${region}`));
  else
    figures.push(
      chartFigure({
        id: "shadow-by-hour",
        caption: `${dualLabel(dual)} shadow price by hour, ${region} ($/kWh, symmetric log scale): median, 25–75 % and 10–90 % of households`,
        summary: `Band chart of the ${dualLabel(dual)} dual by hour of day in ${region}; ${hidden.length} suppressed hours hatched.`,
        legendNode: legend([["Median", "var(--accent)"], ["Middle 50 % / 80 %", "var(--accent)"], ["Suppressed", "hatch"]]),
        draw: (width) =>
          Plot.plot({
            width,
            height: 260,
            x: { domain: [0, 23], label: "Hour of day (AEST) →", ticks: hourTicks(width), tickFormat: hourLabel },
            y: symlogPrice("$/kWh", shown.flatMap((row) => [row.p10, row.p90, row.p50]), 0.01),
            marks: [
              Plot.rectX(hidden, { x1: (row) => row.hour_aest - 0.5, x2: (row) => row.hour_aest + 0.5, fill: "url(#hatch)", className: "hours-suppressed", title: (row) => suppressedTitle(`${hourLabel(row.hour_aest)} AEST`) }),
              Plot.areaY(shown, { x: "hour_aest", y1: "p10", y2: "p90", fill: "var(--accent)", fillOpacity: 0.15 }),
              Plot.areaY(shown, { x: "hour_aest", y1: "p25", y2: "p75", fill: "var(--accent)", fillOpacity: 0.3 }),
              Plot.ruleY([0], { stroke: "var(--muted)" }),
              Plot.lineY(rows, { x: "hour_aest", y: "p50", stroke: "var(--accent)", strokeWidth: 2, marker: "dot", className: "shadow-median" }),
              Plot.dot(shown, { x: "hour_aest", y: "p50", r: 6, fill: "var(--accent)", fillOpacity: 0, stroke: "none", title: (row) => `${hourLabel(row.hour_aest)} AEST: median ${formatNumber(row.p50)} $/kWh, ${formatInteger(row.count)} values` }),
            ],
          }),
        table: dataTable(
          `${dualLabel(dual)} dual by hour, ${region} ($/kWh)`,
          [
            { label: "Hour (AEST)", value: (row) => hourLabel(row.hour_aest), hideWhenSuppressed: false },
            { label: "Values", value: (row) => formatInteger(row.count), suppressed: (row) => row.suppressed },
            { label: "Mean", value: (row) => formatNumber(row.mean) },
            { label: "p10", value: (row) => formatNumber(row.p10) },
            { label: "Median", value: (row) => formatNumber(row.p50) },
            { label: "p90", value: (row) => formatNumber(row.p90) },
            { label: "Binds", value: (row) => formatShare(row.binding_share) },
          ],
          rows,
        ),
      }),
    );
  const dualRows = cells.filter((cell) => String(cell.dual) === dual);
  figures.push(
    chartFigure({
      id: "shadow-regions",
      caption: `Median ${dualLabel(dual)} shadow price, region × hour (AEST, $/kWh)`,
      summary: `Heatmap of the median ${dualLabel(dual)} dual for ${regions.length} regions by hour; suppressed cells hatched.`,
      legendNode: legend([["Suppressed", "hatch"]]),
      draw: (width) =>
        hourHeatmap({ rows: dualRows, value: "p50", yDomain: regions, width, className: "heat", colour: { type: "diverging-symlog", scheme: "PuOr", label: "$/kWh", constant: 0.01 }, tip: (row) => `${formatNumber(row.p50)} $/kWh` }),
    }),
    chartFigure({
      id: "shadow-binding",
      caption: `How often each constraint binds, ${region}, by hour (AEST)`,
      summary: `Heatmap of the share of intervals each of ${duals.length} constraints binds in ${region}, by hour.`,
      legendNode: legend([["Suppressed", "hatch"]]),
      draw: (width) =>
        hourHeatmap({
          rows: cells.filter((cell) => String(cell.region) === region).map((cell) => ({ ...cell, constraint: dualLabel(cell.dual) })),
          value: "binding_share",
          yField: "constraint",
          yDomain: duals.map(dualLabel),
          width,
          className: "heat",
          colour: { scheme: "greens", zero: true, label: "share of intervals binding", format: percent },
          tip: (row) => formatShare(row.binding_share),
        }),
    }),
  );
  return figures;
}
