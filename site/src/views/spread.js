// View 5: the gap between what households pay for power and what they are paid for exports.
import { hourLinearAxis, priceAxis, TIME_MARGIN_BOTTOM, timeAxis } from "../axes.js";
import { chartFigure, NO_VALUES } from "../chart.js";
import { controlsRow, regionChoice } from "../controls.js";
import { legend } from "../dom.js";
import { peakSentence } from "../findings.js";
import { aestDate, cents, formatNumber, formatShare, hourLabel, PRICE_UNIT } from "../format.js";
import { cleanRows } from "../plausible.js";
import { hourHeatmap, percent, regionsOf, suppressedTitle } from "../plots.js";
import { denseRows, hasNoValues } from "../series.js";
import { timeColumn } from "../table.js";
import { implausibleNotice, isAllSuppressed, privacyNotice } from "../view-frame.js";

export const spec = {
  id: "spread",
  file: "spread",
  tab: "Spread",
  title: "Buy/sell spread and negative feed-in",
  explain:
    "The average price households paid to import and were paid to export, by hour of the day in market time, and how often the feed-in price went below zero (exporting then costs money). A wide evening spread is what makes a home battery worth having; frequent negative midday feed-in shows where rooftop solar floods the grid and why soaking it up (charging, hot water, EVs) matters to the NEM.",
};

const price = (value) => `${formatNumber(value)} ${PRICE_UNIT}`;
const atHour = (row) => `${hourLabel(row.hour_aest)} AEST`;
const hourColumn = { label: "Hour (AEST)", get: (row) => row.hour_aest, format: hourLabel, key: true };
const regionColumn = { label: "Region", get: (row) => String(row.region), key: true };
const shareColumn = { label: "Negative feed-in (share of household-intervals)", get: (row) => row.negative_sell_share, format: formatShare };

export function render(container, loaded, { params }) {
  const byHour = cleanRows(loaded.body.by_hour);
  const series = loaded.body.series ?? {};
  const meta = loaded.body.meta;
  if (isAllSuppressed(byHour)) {
    container.append(privacyNotice(meta, "the spread view"));
    return {};
  }
  const choice = regionChoice(regionsOf(byHour), params);
  container.append(...controlsRow(choice), ...implausibleNotice(byHour.implausible), ...regionCharts(byHour, loaded.body.daily, choice.value, meta), negativeHeatmap(byHour));
  return { region: choice.value };
}

function negativeHeatmap(byHour) {
  const regions = regionsOf(byHour);
  return chartFigure({
    id: "spread-negative",
    caption: "Share of household-intervals with a negative feed-in price, region × hour (AEST)",
    summary: peakSentence("the negative feed-in share", byHour, (row) => row.negative_sell_share, formatShare, (row) => `${row.region}, ${atHour(row)}`),
    legendNode: legend([["Suppressed", "hatch"]]),
    empty: hasNoValues(byHour, ["negative_sell_share"]) ? NO_VALUES : null,
    draw: (width) =>
      hourHeatmap({
        rows: byHour,
        value: "negative_sell_share",
        yDomain: regions,
        width,
        className: "heat",
        colour: { scheme: "purples", zero: true, label: "share of household-intervals", format: percent },
        tip: (row) => formatShare(row.negative_sell_share),
      }),
    data: { caption: "negative feed-in share by region and hour (AEST)", columns: [regionColumn, hourColumn, shareColumn], rows: byHour },
  });
}

function regionCharts(byHour, daily, region, meta) {
  const Plot = globalThis.Plot;
  const rows = byHour.filter((row) => String(row.region) === region).sort((a, b) => a.hour_aest - b.hour_aest);
  if (isAllSuppressed(rows)) return [privacyNotice(meta, `the ${region} spread`)];
  const shown = rows.filter((row) => !row.suppressed);
  const hidden = rows.filter((row) => row.suppressed);
  // Negative feed-in per market day, on the heatmap's measure (share of household-intervals).
  const dailyBlock = daily?.[region] ?? null;
  const days = denseRows(dailyBlock, ["negative_sell_share", "household_intervals"]);
  // Days are AEST days only when the series starts at an AEST midnight; say UTC otherwise.
  const dayZone = dailyBlock && aestDate(dailyBlock.start).getUTCHours() === 0 ? "AEST" : "UTC";
  const prices = rows.flatMap((row) => [cents(row.price_buy), cents(row.price_sell)]);
  const figures = [
    chartFigure({
      id: "spread-by-hour",
      caption: `Mean buy and sell price by hour, ${region} (${PRICE_UNIT})`,
      summary: `${peakSentence("the buy price", rows, (row) => cents(row.price_buy), price, atHour)} ${peakSentence("the spread", rows, (row) => cents(row.spread), price, atHour)}`,
      legendNode: legend([["Buy price", "var(--buy)"], ["Sell (feed-in) price", "var(--sell)"], ["Suppressed", "hatch"]]),
      empty: hasNoValues(rows, ["price_buy", "price_sell"]) ? NO_VALUES : null,
      draw: (width) =>
        Plot.plot({
          width,
          height: 260,
          x: hourLinearAxis(width),
          y: priceAxis(prices),
          marks: [
            Plot.rectX(hidden, { x1: (row) => row.hour_aest - 0.5, x2: (row) => row.hour_aest + 0.5, fill: "url(#hatch)", className: "hours-suppressed", title: (row) => suppressedTitle(atHour(row)) }),
            Plot.areaY(shown, { x: "hour_aest", y1: (row) => cents(row.price_sell), y2: (row) => cents(row.price_buy), fill: "var(--accent)", fillOpacity: 0.12 }),
            Plot.ruleY([0], { stroke: "var(--muted)" }),
            Plot.lineY(rows, { x: "hour_aest", y: (row) => cents(row.price_buy), stroke: "var(--buy)", strokeWidth: 2, marker: "dot", className: "spread-buy" }),
            Plot.lineY(rows, { x: "hour_aest", y: (row) => cents(row.price_sell), stroke: "var(--sell)", strokeWidth: 2, marker: "dot", className: "spread-sell" }),
            Plot.tip(shown, Plot.pointerX({ x: "hour_aest", y: (row) => cents(row.price_buy), title: (row) => `${atHour(row)}\nbuy ${price(cents(row.price_buy))}, sell ${price(cents(row.price_sell))}\nspread ${price(cents(row.spread))}` })),
          ],
        }),
      data: {
        caption: `mean prices by hour, ${region} (${PRICE_UNIT})`,
        columns: [
          hourColumn,
          { label: `Buy (${PRICE_UNIT})`, get: (row) => cents(row.price_buy) },
          { label: `Sell (${PRICE_UNIT})`, get: (row) => cents(row.price_sell) },
          { label: `Spread (${PRICE_UNIT})`, get: (row) => cents(row.spread) },
          shareColumn,
        ],
        rows,
      },
    }),
  ];
  if (days.length > 0) {
    const published = days.filter((row) => row.negative_sell_share !== null);
    const day = (row) => row.time.toISOString().slice(0, 10);
    figures.push(
      chartFigure({
        id: "spread-negative-days",
        caption: `Share of household-intervals with a negative feed-in price, per market day, ${region} (days in ${dayZone})`,
        summary: peakSentence("the negative feed-in share", published, (row) => row.negative_sell_share, formatShare, day),
        empty: published.length === 0 ? NO_VALUES : null,
        draw: (width) =>
          Plot.plot({
            width,
            height: 180,
            marginBottom: TIME_MARGIN_BOTTOM,
            x: timeAxis(width, `Day (${dayZone}) →`),
            y: { label: "share of household-intervals", grid: true, tickFormat: percent },
            marks: [
              Plot.rectY(published, { x1: "time", x2: "end", y: "negative_sell_share", fill: "var(--sell)", insetLeft: 1, insetRight: 1, className: "negative-days" }),
              Plot.ruleY([0]),
              Plot.tip(published, Plot.pointerX({ x: (row) => new Date((row.time.getTime() + row.end.getTime()) / 2), y: "negative_sell_share", title: (row) => `${day(row)}: ${formatShare(row.negative_sell_share)} of ${formatNumber(row.household_intervals)} household-intervals` })),
            ],
          }),
        data: { caption: `negative feed-in share per market day, ${region}`, columns: [timeColumn(`Day start (${dayZone})`), shareColumn, { label: "Household-intervals", get: (row) => row.household_intervals }], rows: days },
      }),
    );
  }
  return figures;
}
