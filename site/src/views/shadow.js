// View 7: the optimiser's shadow prices (LP duals): what each constraint is worth, and how often it binds.
import { hourLinearAxis, priceAxis } from "../axes.js";
import { chartFigure, NO_VALUES } from "../chart.js";
import { choiceSelect, controlsRow, regionChoice } from "../controls.js";
import { legend } from "../dom.js";
import { peakSentence } from "../findings.js";
import { cents, formatInteger, formatNumber, formatShare, hourLabel, PRICE_UNIT } from "../format.js";
import { cleanRows } from "../plausible.js";
import { hourHeatmap, percent, regionsOf, suppressedTitle } from "../plots.js";
import { hasNoValues } from "../series.js";
import { implausibleNotice, isAllSuppressed, privacyNotice } from "../view-frame.js";

export const spec = {
  id: "shadow",
  file: "shadow",
  tab: "Shadow prices",
  title: "Shadow prices: what each constraint is worth",
  explain:
    "Every few minutes each household's optimiser solves a small linear programme; its shadow prices (dual values) say how much one more kilowatt-hour of headroom on a constraint would be worth. The energy dual is the household's own marginal value of energy; the envelope duals price the network's import and export limits. Shown in c/kWh by hour of day in market time with the spread across households, per region, and how often each constraint binds at all. Binding envelopes with high duals point to where network capacity is worth most.",
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
const QUANTILES = ["p10", "p25", "p50", "p75", "p90"];
const price = (value) => `${formatNumber(value)} ${PRICE_UNIT}`;
const atHour = (row) => `${hourLabel(row.hour_aest)} AEST`;
const hourColumn = { label: "Hour (AEST)", get: (row) => row.hour_aest, format: hourLabel, key: true };

// Duals are published in $/kWh; the page shows every price in c/kWh.
const inCents = (cell) => ({ ...cell, ...Object.fromEntries(["mean", ...QUANTILES].map((name) => [name, cents(cell[name])])) });

export function render(container, loaded, { params }) {
  const raw = cleanRows(loaded.body.cells);
  const cells = raw.map(inCents);
  const meta = loaded.body.meta;
  if (isAllSuppressed(cells)) {
    container.append(privacyNotice(meta, "the shadow price view"));
    return {};
  }
  const duals = (loaded.body.duals ?? [...new Set(cells.map((cell) => cell.dual))]).map(String);
  // The constraint is kept in the link too (parameter "dual"), so a shared link shows the same chart.
  const dual = choiceSelect({ name: "dual", label: "Constraint", options: duals.map((value) => ({ value, label: dualLabel(value) })), params, fallback: duals[0], what: "constraint" });
  const region = regionChoice(regionsOf(cells), params);
  container.append(...controlsRow(dual, region), ...implausibleNotice(raw.implausible), ...charts(cells, duals, dual.value, region.value, meta));
  return { region: region.value };
}

function charts(cells, duals, dual, region, meta) {
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
        caption: `${dualLabel(dual)} shadow price by hour, ${region} (${PRICE_UNIT}): median, 25–75 % and 10–90 % of households`,
        summary: peakSentence(`the median ${dualLabel(dual).toLowerCase()} dual`, shown, (row) => row.p50, price, atHour),
        legendNode: legend([["Median", "var(--accent)"], ["Middle 50 % / 80 %", "var(--accent)"], ["Suppressed", "hatch"]]),
        empty: hasNoValues(rows, ["p50"]) ? NO_VALUES : null,
        draw: (width) =>
          Plot.plot({
            width,
            height: 260,
            x: hourLinearAxis(width),
            y: priceAxis(shown.flatMap((row) => [row.p10, row.p90, row.p50])),
            marks: [
              Plot.rectX(hidden, { x1: (row) => row.hour_aest - 0.5, x2: (row) => row.hour_aest + 0.5, fill: "url(#hatch)", className: "hours-suppressed", title: (row) => suppressedTitle(atHour(row)) }),
              Plot.areaY(shown, { x: "hour_aest", y1: "p10", y2: "p90", fill: "var(--accent)", fillOpacity: 0.15 }),
              Plot.areaY(shown, { x: "hour_aest", y1: "p25", y2: "p75", fill: "var(--accent)", fillOpacity: 0.3 }),
              Plot.ruleY([0], { stroke: "var(--muted)" }),
              Plot.lineY(rows, { x: "hour_aest", y: "p50", stroke: "var(--accent)", strokeWidth: 2, marker: "dot", className: "shadow-median" }),
              Plot.tip(shown, Plot.pointerX({ x: "hour_aest", y: "p50", title: (row) => `${atHour(row)}\nmedian ${price(row.p50)} (10–90 %: ${formatNumber(row.p10)} to ${formatNumber(row.p90)})\n${formatInteger(row.count)} household-intervals` })),
            ],
          }),
        data: {
          caption: `${dualLabel(dual)} dual by hour, ${region} (${PRICE_UNIT})`,
          columns: [
            hourColumn,
            { label: "Household-intervals", get: (row) => row.count, format: formatInteger },
            ...["mean", ...QUANTILES].map((name) => ({ label: `${name === "mean" ? "Mean" : name} (${PRICE_UNIT})`, get: (row) => row[name] })),
            { label: "Binds (share)", get: (row) => row.binding_share, format: formatShare },
          ],
          rows,
        },
      }),
    );
  const dualRows = cells.filter((cell) => String(cell.dual) === dual);
  const regions = regionsOf(cells);
  const regionRows = cells.filter((cell) => String(cell.region) === region).map((cell) => ({ ...cell, constraint: dualLabel(cell.dual) }));
  const medians = dualRows.filter((row) => !row.suppressed).map((row) => row.p50);
  const spread = Math.max(1, ...medians.map(Math.abs));
  figures.push(
    chartFigure({
      id: "shadow-regions",
      caption: `Median ${dualLabel(dual)} shadow price, region × hour (AEST, ${PRICE_UNIT})`,
      summary: peakSentence("the median", dualRows, (row) => row.p50, price, (row) => `${row.region}, ${atHour(row)}`),
      legendNode: legend([["Suppressed", "hatch"]]),
      empty: hasNoValues(dualRows, ["p50"]) ? NO_VALUES : null,
      draw: (width) =>
        hourHeatmap({
          rows: dualRows,
          value: "p50",
          yDomain: regions,
          width,
          className: "heat",
          // Three legend ticks (low, zero, high) so the diverging legend's labels never collide.
          colour: { type: "diverging-symlog", scheme: "PuOr", label: PRICE_UNIT, constant: 1, domain: [-spread, spread], ticks: [-spread, 0, spread], format: (v) => formatNumber(v, 2) },
          tip: (row) => price(row.p50),
        }),
      data: {
        caption: `median ${dualLabel(dual)} dual by region and hour (${PRICE_UNIT})`,
        columns: [{ label: "Region", get: (row) => String(row.region), key: true }, hourColumn, { label: `Median (${PRICE_UNIT})`, get: (row) => row.p50 }],
        rows: dualRows,
      },
    }),
    chartFigure({
      id: "shadow-binding",
      caption: `How often each constraint binds, ${region}, by hour (AEST; share of household-intervals)`,
      summary: peakSentence("the binding share", regionRows, (row) => row.binding_share, formatShare, (row) => `${row.constraint}, ${atHour(row)}`),
      legendNode: legend([["Suppressed", "hatch"]]),
      empty: hasNoValues(regionRows, ["binding_share"]) ? NO_VALUES : null,
      draw: (width) =>
        hourHeatmap({
          rows: regionRows,
          value: "binding_share",
          yField: "constraint",
          yDomain: duals.map(dualLabel),
          width,
          className: "heat",
          colour: { scheme: "greens", zero: true, label: "share of household-intervals binding", format: percent },
          tip: (row) => formatShare(row.binding_share),
        }),
      data: {
        caption: `binding share by constraint and hour, ${region}`,
        columns: [{ label: "Constraint", get: (row) => row.constraint, key: true }, hourColumn, { label: "Binds (share)", get: (row) => row.binding_share, format: formatShare }],
        rows: regionRows,
      },
    }),
  );
  return figures;
}
