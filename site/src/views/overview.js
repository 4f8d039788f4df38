// Overview: headline figures from status.json.
import { chartFigure } from "../chart.js";
import { dataTable, el } from "../dom.js";
import { formatAest, formatAud, formatInteger, formatPeriod } from "../format.js";
import { REGION_ORDER } from "../plots.js";

export const spec = {
  id: "overview",
  file: "status",
  tab: "Overview",
  title: "Overview",
  explain:
    "Households running the HAEO optimiser in Home Assistant publish what their batteries, EVs and loads could do every five minutes, and what each constraint is worth to them. This dashboard pools them into a public, privacy-protected cohort: the demand side of the National Electricity Market that supply-side open data does not show. The seven views that follow each answer one question; all times are NEM market time (AEST, UTC+10).",
};

const card = (label, value, size = "") =>
  el("div", { class: `card ${size}` }, el("div", { class: "label" }, label), el("div", { class: "value" }, value));

export function render(container, loaded) {
  const status = loaded.body;
  const meta = status.meta;
  const regionRows = Object.entries(status.regions ?? {})
    .map(([region, households]) => ({ region: String(region), households, suppressed: households === null }))
    .sort((a, b) => REGION_ORDER.indexOf(a.region) - REGION_ORDER.indexOf(b.region));
  container.append(
    el(
      "div",
      { class: "cards" },
      card("Households (last 7 days)", formatInteger(status.cohort_size)),
      card("Households ever", formatInteger(status.households_total)),
      card("Records", formatInteger(status.records)),
      card("Saving vs baseline", status.total_savings_aud === null ? "suppressed" : formatAud(status.total_savings_aud)),
      card("Last data", formatAest(status.last_updated), "small"),
      card("Regions", regionRows.filter((row) => !row.suppressed).map((row) => row.region).join(", ") || "none yet", "small"),
    ),
    el("p", { class: "provenance" }, `Period: ${formatPeriod(meta.period)}. Built ${formatAest(meta.generated_at)}. Schema ${meta.schema_version ?? "?"}.`),
  );
  const shown = regionRows.filter((row) => !row.suppressed);
  const hidden = regionRows.filter((row) => row.suppressed);
  container.append(
    chartFigure({
      id: "overview-regions",
      caption: "Households by region",
      summary: `Bar chart of households in ${shown.length} regions; ${hidden.length} regions suppressed (too few households to publish, or hidden so that the total cannot reveal one that has too few).`,
      draw: (width) =>
        globalThis.Plot.plot({
          width,
          height: 60 + 30 * regionRows.length,
          marginLeft: 60,
          x: { label: "households →", grid: true },
          y: { domain: regionRows.map((row) => row.region), label: null },
          marks: [
            globalThis.Plot.barX(hidden, { y: "region", x: () => Math.max(1, ...shown.map((row) => row.households)), fill: "url(#hatch)", className: "regions-suppressed", title: (row) => `${row.region}: suppressed (fewer than ${meta?.suppression?.min_households ?? "the minimum"} households, or hidden so that the total cannot reveal a region that has)` }),
            globalThis.Plot.text(hidden, { y: "region", x: () => Math.max(1, ...shown.map((row) => row.households)) / 2, text: () => "suppressed", fill: "var(--fg)", stroke: "var(--bg)", strokeWidth: 3, paintOrder: "stroke" }),
            globalThis.Plot.barX(shown, { y: "region", x: "households", fill: "var(--accent)", className: "regions-households", title: (row) => `${row.region}: ${row.households} households` }),
            globalThis.Plot.ruleX([0]),
          ],
        }),
      table: dataTable("households by region", [{ label: "Region", value: (row) => row.region, hideWhenSuppressed: false }, { label: "Households", value: (row) => formatInteger(row.households), suppressed: (row) => row.suppressed }], regionRows),
    }),
  );
  const quality = status.quality ?? {};
  container.append(
    el("h3", {}, "Data quality"),
    el(
      "p",
      {},
      `${formatInteger(quality.records)} records read from ${formatInteger(quality.files)} files; ${formatInteger(quality.rejected)} rejected, ${formatInteger(quality.duplicates)} duplicates dropped, ${formatInteger(quality.quarantined_files)} files quarantined, ${formatInteger(quality.energy_balance_flagged)} flagged for energy balance.`,
    ),
  );
}
