// View 3: how often export and import envelopes bind, region × hour of day.
import { chartFigure } from "../chart.js";
import { dataTable, legend } from "../dom.js";
import { formatNumber, formatShare, hourLabel } from "../format.js";
import { hourHeatmap, percent, regionsOf } from "../plots.js";
import { isAllSuppressed, privacyNotice } from "../view-frame.js";

export const spec = {
  id: "curtailment",
  file: "curtailment",
  tab: "Curtailment",
  title: "Export curtailment and envelope binding",
  explain:
    "Networks cap how much a home may export (and sometimes import) through dynamic operating envelopes. These heatmaps show, for each region and hour of the day, how often the cohort's solar export sat at its cap, and how often the optimiser found the export or import envelope actually binding (its shadow price was not zero). Midday export caps that bind often mean solar energy is being thrown away, a signal for where network capacity or storage would pay off.",
};

const HEATMAPS = [
  { value: "export_at_cap_share", caption: "Share of time exporting at the export cap", scheme: "oranges" },
  { value: "export_binding_share", caption: "Share of time the export envelope binds (shadow price ≠ 0)", scheme: "reds" },
  { value: "import_binding_share", caption: "Share of time the import envelope binds", scheme: "blues" },
];

export function render(container, loaded) {
  const cells = loaded.body.cells ?? [];
  const meta = loaded.body.meta;
  if (isAllSuppressed(cells)) {
    container.append(privacyNotice(meta, "the curtailment heatmaps"));
    return;
  }
  const regions = regionsOf(cells);
  const table = dataTable(
    "curtailment by region and hour (AEST)",
    [
      { label: "Region", value: (row) => `${row.region} ${hourLabel(row.hour_aest)}`, hideWhenSuppressed: false },
      { label: "Households", value: (row) => formatNumber(row.households), suppressed: (row) => row.suppressed },
      { label: "Export at cap", value: (row) => formatShare(row.export_at_cap_share) },
      { label: "Export binds", value: (row) => formatShare(row.export_binding_share) },
      { label: "Export kWh", value: (row) => formatNumber(row.export_kwh) },
      { label: "Export dual ($/kWh)", value: (row) => formatNumber(row.export_dual_mean) },
      { label: "Import binds", value: (row) => formatShare(row.import_binding_share) },
    ],
    cells,
  );
  HEATMAPS.forEach((heatmap, i) => {
    container.append(
      chartFigure({
        id: `curtailment-${heatmap.value}`,
        caption: `${heatmap.caption}, region × hour (AEST)`,
        summary: `Heatmap of ${heatmap.caption.toLowerCase()} for ${regions.length} regions by hour of day; suppressed cells hatched.`,
        legendNode: legend([["Suppressed", "hatch"]]),
        draw: (width) =>
          hourHeatmap({
            rows: cells,
            value: heatmap.value,
            yDomain: regions,
            width,
            className: "heat",
            colour: { scheme: heatmap.scheme, zero: true, label: "share of time", format: percent },
            tip: (row) => formatShare(row[heatmap.value]),
          }),
        table: i === HEATMAPS.length - 1 ? table : null,
      }),
    );
  });
}
