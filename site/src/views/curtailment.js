// View 3: how often export and import envelopes bind, region × hour of day.
import { chartFigure, NO_VALUES } from "../chart.js";
import { legend } from "../dom.js";
import { peakSentence } from "../findings.js";
import { cents, formatNumber, formatShare, hourLabel, PRICE_UNIT } from "../format.js";
import { cleanRows } from "../plausible.js";
import { hourHeatmap, percent, regionsOf } from "../plots.js";
import { hasNoValues } from "../series.js";
import { implausibleNotice, isAllSuppressed, privacyNotice } from "../view-frame.js";

export const spec = {
  id: "curtailment",
  file: "curtailment",
  tab: "Curtailment",
  title: "Export curtailment and envelope binding",
  explain:
    "Networks cap how much a home may export (and sometimes import) through dynamic operating envelopes. These heatmaps show, for each region and hour of the day, how often the cohort's solar export sat at its cap, and how often the optimiser found the export or import envelope actually binding (its shadow price was not zero). Midday export caps that bind often mean solar energy is being thrown away, a signal for where network capacity or storage would pay off.",
};

const HEATMAPS = [
  { value: "export_at_cap_share", caption: "Share of household-intervals exporting at the export cap", scheme: "oranges" },
  { value: "export_binding_share", caption: "Share of household-intervals the export envelope binds (shadow price ≠ 0)", scheme: "reds" },
  { value: "import_binding_share", caption: "Share of household-intervals the import envelope binds", scheme: "blues" },
];

const COLUMNS = [
  { label: "Region", get: (row) => String(row.region), key: true },
  { label: "Hour (AEST)", get: (row) => row.hour_aest, format: hourLabel, key: true },
  { label: "Households", field: "households", get: (row) => row.households },
  { label: "Household-intervals", field: "intervals", get: (row) => row.intervals },
  { label: "Export at cap (share)", field: "export_at_cap_share", get: (row) => row.export_at_cap_share, format: formatShare },
  { label: "Export binds (share)", field: "export_binding_share", get: (row) => row.export_binding_share, format: formatShare },
  { label: "Export (kWh)", field: "export_kwh", get: (row) => row.export_kwh },
  { label: `Export dual when binding (${PRICE_UNIT})`, field: "export_dual_mean", get: (row) => cents(row.export_dual_mean) },
  { label: "Import binds (share)", field: "import_binding_share", get: (row) => row.import_binding_share, format: formatShare },
];

export function render(container, loaded) {
  const cells = cleanRows(loaded.body.cells);
  const meta = loaded.body.meta;
  if (isAllSuppressed(cells)) {
    container.append(privacyNotice(meta, "the curtailment heatmaps"));
    return {};
  }
  const regions = regionsOf(cells);
  container.append(...implausibleNotice(cells.implausible));
  HEATMAPS.forEach((heatmap, i) => {
    // The first table holds every published column; the others their own measure beside the keys.
    const columns = i === 0 ? COLUMNS : COLUMNS.filter((column) => column.key || ["households", "intervals", heatmap.value].includes(column.field));
    container.append(
      chartFigure({
        id: `curtailment-${heatmap.value}`,
        caption: `${heatmap.caption}, region × hour (AEST)`,
        summary: peakSentence("the share", cells, (row) => row[heatmap.value], formatShare, (row) => `${row.region}, ${hourLabel(row.hour_aest)} AEST`),
        legendNode: legend([["Suppressed", "hatch"]]),
        empty: hasNoValues(cells, [heatmap.value]) ? NO_VALUES : null,
        draw: (width) =>
          hourHeatmap({
            rows: cells,
            value: heatmap.value,
            yDomain: regions,
            width,
            className: "heat",
            colour: { scheme: heatmap.scheme, zero: true, label: "share of household-intervals", format: percent },
            tip: (row) => `${formatShare(row[heatmap.value])} of ${formatNumber(row.intervals)} household-intervals`,
          }),
        data: { caption: `${heatmap.caption.toLowerCase()} by region and hour (AEST)`, columns, rows: cells },
      }),
    );
  });
  return {};
}
