// View 5: the gap between what households pay for power and what they are paid for exports.
import { chartFigure } from "../chart.js";
import { dataTable, el, legend, picker } from "../dom.js";
import { cents, formatNumber, formatShare, hourLabel } from "../format.js";
import { hourHeatmap, hourTicks, percent, regionsOf, suppressedTitle, symlogPrice, TIME_MARGIN_BOTTOM, timeAxis } from "../plots.js";
import { denseRows } from "../series.js";
import { isAllSuppressed, privacyNotice } from "../view-frame.js";

export const spec = {
  id: "spread",
  file: "spread",
  tab: "Spread",
  title: "Buy/sell spread and negative feed-in",
  explain:
    "The average price households paid to import and were paid to export, by hour of the day in market time, and how often the feed-in price went below zero (exporting then costs money). A wide evening spread is what makes a home battery worth having; frequent negative midday feed-in shows where rooftop solar floods the grid and why soaking it up (charging, hot water, EVs) matters to the NEM.",
};

export function render(container, loaded) {
  const byHour = loaded.body.by_hour ?? [];
  const series = loaded.body.series ?? {};
  const meta = loaded.body.meta;
  if (isAllSuppressed(byHour)) {
    container.append(privacyNotice(meta, "the spread view"));
    return;
  }
  const regions = regionsOf(byHour);
  let region = regions.includes("NEM") ? "NEM" : regions[0];
  const holder = el("div");
  const draw = () => holder.replaceChildren(...regionCharts(byHour, series, loaded.body.daily, region, meta));
  container.append(
    el("div", { class: "controls" }, picker("Region", regions, region, (value) => ((region = value), draw()))),
    holder,
    chartFigure({
      id: "spread-negative",
      caption: "Share of time the feed-in price is negative, region × hour (AEST)",
      summary: `Heatmap of how often the sell price is below zero, ${regions.length} regions by hour; suppressed cells hatched.`,
      legendNode: legend([["Suppressed", "hatch"]]),
      draw: (width) =>
        hourHeatmap({
          rows: byHour,
          value: "negative_sell_share",
          yDomain: regions,
          width,
          className: "heat",
          colour: { scheme: "purples", zero: true, label: "share of time", format: percent },
          tip: (row) => formatShare(row.negative_sell_share),
        }),
    }),
  );
  draw();
}

function regionCharts(byHour, series, daily, region, meta) {
  const Plot = globalThis.Plot;
  const rows = byHour.filter((row) => String(row.region) === region).sort((a, b) => a.hour_aest - b.hour_aest);
  if (isAllSuppressed(rows)) return [privacyNotice(meta, `the ${region} spread`)];
  const shown = rows.filter((row) => !row.suppressed);
  const hidden = rows.filter((row) => row.suppressed);
  // Negative feed-in hours per day: in "daily" (as the aggregation writes it) or inside "series".
  const dailyBlock = daily?.[region] ?? (series[region]?.negative_sell_hours ? series[region] : null);
  const days = denseRows(dailyBlock, ["negative_sell_hours"]);
  const table = dataTable(
    `mean prices by hour, ${region} (c/kWh)`,
    [
      { label: "Hour (AEST)", value: (row) => hourLabel(row.hour_aest), hideWhenSuppressed: false },
      { label: "Buy", value: (row) => formatNumber(cents(row.price_buy)), suppressed: (row) => row.suppressed },
      { label: "Sell", value: (row) => formatNumber(cents(row.price_sell)) },
      { label: "Spread", value: (row) => formatNumber(cents(row.spread)) },
      { label: "Negative sell", value: (row) => formatShare(row.negative_sell_share) },
    ],
    rows,
  );
  const figures = [
    chartFigure({
      id: "spread-by-hour",
      caption: `Mean buy and sell price by hour, ${region} (c/kWh, symmetric log scale)`,
      summary: `Line chart of buy and sell prices by hour of day in ${region}; ${hidden.length} suppressed hours hatched.`,
      legendNode: legend([["Buy price", "var(--buy)"], ["Sell (feed-in) price", "var(--sell)"], ["Suppressed", "hatch"]]),
      draw: (width) =>
        Plot.plot({
          width,
          height: 260,
          x: { domain: [0, 23], label: "Hour of day (AEST) →", ticks: hourTicks(width), tickFormat: hourLabel },
          y: symlogPrice("c/kWh", rows.flatMap((row) => [cents(row.price_buy), cents(row.price_sell)])),
          marks: [
            Plot.rectX(hidden, { x1: (row) => row.hour_aest - 0.5, x2: (row) => row.hour_aest + 0.5, fill: "url(#hatch)", className: "hours-suppressed", title: (row) => suppressedTitle(`${hourLabel(row.hour_aest)} AEST`) }),
            Plot.areaY(shown, { x: "hour_aest", y1: (row) => cents(row.price_sell), y2: (row) => cents(row.price_buy), fill: "var(--accent)", fillOpacity: 0.12 }),
            Plot.ruleY([0], { stroke: "var(--muted)" }),
            Plot.lineY(rows, { x: "hour_aest", y: (row) => cents(row.price_buy), stroke: "var(--buy)", strokeWidth: 2, marker: "dot", className: "spread-buy" }),
            Plot.lineY(rows, { x: "hour_aest", y: (row) => cents(row.price_sell), stroke: "var(--sell)", strokeWidth: 2, marker: "dot", className: "spread-sell" }),
          ],
        }),
      table,
    }),
  ];
  if (days.length > 0) {
    figures.push(
      chartFigure({
        id: "spread-negative-hours",
        caption: `Hours per day with a negative feed-in price, ${region}`,
        summary: `Bar chart of negative feed-in hours on ${days.length} days in ${region}.`,
        draw: (width) =>
          Plot.plot({
            width,
            height: 180,
            marginBottom: TIME_MARGIN_BOTTOM,
            x: { ...timeAxis(width), label: "Day (AEST) →" },
            y: { label: "hours", grid: true },
            marks: [Plot.rectY(days.filter((row) => row.negative_sell_hours !== null), { x1: "time", x2: "end", y: "negative_sell_hours", fill: "var(--sell)", insetLeft: 1, insetRight: 1, className: "negative-hours" }), Plot.ruleY([0])],
          }),
      }),
    );
  }
  return figures;
}
