// Overview: headline figures from status.json, each with its period and what it counts.
import { chartFigure } from "../chart.js";
import { el } from "../dom.js";
import { formatAest, formatAud, formatInteger, formatPeriod, shortPeriod } from "../format.js";
import { REGION_ORDER } from "../plots.js";

export const spec = {
  id: "overview",
  file: "status",
  tab: "Overview",
  title: "Overview",
  explain:
    "Households running the HAEO optimiser in Home Assistant publish what their batteries, EVs and loads could do every five minutes, and what each constraint is worth to them. This dashboard pools them into a public, privacy-protected cohort: the demand side of the National Electricity Market that supply-side open data does not show. The seven views that follow each answer one question; all times are NEM market time (AEST, UTC+10).",
};

const card = (label, value, note, size = "") =>
  el("div", { class: `card ${size}` }, el("div", { class: "label" }, label), el("div", { class: "value" }, value), note ? el("div", { class: "note" }, note) : null);

export function render(container, loaded) {
  const status = loaded.body;
  const meta = status.meta;
  const period = shortPeriod(meta.period);
  const regionRows = Object.entries(status.regions ?? {})
    .map(([region, households]) => ({ region: String(region), households, suppressed: households === null }))
    .sort((a, b) => REGION_ORDER.indexOf(a.region) - REGION_ORDER.indexOf(b.region));
  // Each headline figure's own period and households where status.json states them (figures), else the file's.
  const figures = status.figures ?? {};
  const periodOf = (name) => shortPeriod(figures[name]?.period ?? meta.period);
  const saving = status.total_savings_aud;
  const savers = figures.total_savings_aud?.households ?? status.cohort_size;
  const perHousehold = saving !== null && saving !== undefined && savers > 0 ? saving / savers : null;
  container.append(
    el(
      "div",
      { class: "cards" },
      card("Households with data", formatInteger(status.cohort_size), periodOf("cohort_size")),
      card("Households ever", formatInteger(status.households_total), `since the cohort began, ${periodOf("households_total")}`),
      card("Records", formatInteger(status.records), `household-intervals (five-minute records), ${periodOf("records")}`),
      card(
        "Saving vs baseline",
        saving === null || saving === undefined ? "suppressed" : formatAud(saving),
        perHousehold === null ? `cohort total, ${periodOf("total_savings_aud")}` : `cohort total of ${formatInteger(savers)} households, ${periodOf("total_savings_aud")}: about ${formatAud(perHousehold)} per household`,
      ),
      card("Newest data", formatAest(status.last_updated), "start of the newest five-minute interval", "small"),
      card("Regions", regionRows.filter((row) => !row.suppressed).map((row) => row.region).join(", ") || "none yet", "with enough households to publish", "small"),
    ),
    el("p", { class: "provenance" }, `Period: ${formatPeriod(meta.period)}. Built ${formatAest(meta.generated_at)}. Schema ${meta.schema_version ?? "?"}.`),
  );
  const shown = regionRows.filter((row) => !row.suppressed);
  const hidden = regionRows.filter((row) => row.suppressed);
  const largest = shown.reduce((best, row) => (best === null || row.households > best.households ? row : best), null);
  const Plot = globalThis.Plot;
  const barEnd = Math.max(1, ...shown.map((row) => row.households));
  container.append(
    chartFigure({
      id: "overview-regions",
      caption: `Households by region, ${period}`,
      summary: largest
        ? `${largest.region} has the most households (${formatInteger(largest.households)} of ${formatInteger(status.cohort_size)}); ${hidden.length} region${hidden.length === 1 ? " is" : "s are"} suppressed (too few households to publish, or hidden so that the total cannot reveal one that has too few).`
        : "Every region is suppressed: too few households to publish.",
      draw: (width) =>
        Plot.plot({
          width,
          height: 60 + 30 * regionRows.length,
          marginLeft: 60,
          x: { label: "households →", grid: true },
          y: { domain: regionRows.map((row) => row.region), label: null },
          marks: [
            Plot.barX(hidden, { y: "region", x: () => barEnd, fill: "url(#hatch)", className: "regions-suppressed", title: (row) => `${row.region}: suppressed (fewer than ${meta?.suppression?.min_households ?? "the minimum"} households, or hidden so that the total cannot reveal a region that has)`, tip: true }),
            Plot.text(hidden, { y: "region", x: () => barEnd / 2, text: () => "suppressed", fill: "var(--fg)", stroke: "var(--bg)", strokeWidth: 3, paintOrder: "stroke" }),
            Plot.barX(shown, { y: "region", x: "households", fill: "var(--accent)", className: "regions-households", title: (row) => `${row.region}: ${row.households} households`, tip: true }),
            Plot.ruleX([0]),
          ],
        }),
      data: { caption: "households by region", columns: [{ label: "Region", get: (row) => row.region, key: true }, { label: "Households", get: (row) => row.households, format: formatInteger }], rows: regionRows },
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
  return {};
}
