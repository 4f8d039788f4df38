// View 1: cohort flexibility up and down over time, with the buy and sell price beside it.
import { priceAxis, TIME_MARGIN_BOTTOM, timeAxis } from "../axes.js";
import { chartFigure, NO_VALUES } from "../chart.js";
import { controlsRow, regionChoice } from "../controls.js";
import { legend } from "../dom.js";
import { peakSentence } from "../findings.js";
import { cents, formatNumber, formatShifted, PRICE_UNIT } from "../format.js";
import { suppressedBands } from "../plots.js";
import { denseRows, hasNoValues, suppressedSpans } from "../series.js";
import { timeColumn } from "../table.js";
import { implausibleNotice, isAllSuppressed, privacyNotice } from "../view-frame.js";

export const spec = {
  id: "flex",
  file: "flex",
  tab: "Flexibility",
  title: "Cohort flexibility: how much the households could shift",
  explain:
    "How many kilowatts the cohort's batteries, EVs and shiftable loads could add to demand (flex up: soak up cheap or surplus energy) or take off it (flex down: ease a tight grid) at each moment, next to the average buy and sell price the households saw. This is the demand-side resource AEMO's price-responsive-resources work wants to see: flexibility that already exists in homes and when it is available.",
};

const FIELDS = ["households", "flex_up_kw", "flex_down_kw", "price_buy", "price_sell"];
const kw = (value) => `${formatNumber(value)} kW`;
const price = (value) => `${formatNumber(value)} ${PRICE_UNIT}`;
const at = (row) => formatShifted(row.time);

export function render(container, loaded, { params }) {
  const series = loaded.body.series ?? {};
  const choice = regionChoice(Object.keys(series), params);
  const rows = denseRows(series[choice.value], FIELDS);
  container.append(...controlsRow(choice), ...implausibleNotice(rows.implausible), ...charts(rows, choice.value, loaded.body.meta));
  return { region: choice.value };
}

function charts(rows, region, meta) {
  if (isAllSuppressed(rows)) return [privacyNotice(meta, `the ${region} flexibility series`)];
  const Plot = globalThis.Plot;
  const spans = suppressedSpans(rows);
  const shown = rows.filter((row) => !row.suppressed);
  const households = { label: "Households", get: (row) => row.households };
  const flexEmpty = hasNoValues(rows, ["flex_up_kw", "flex_down_kw"]) ? NO_VALUES : null;
  const priceEmpty = hasNoValues(rows, ["price_buy", "price_sell"]) ? NO_VALUES : null;
  const flexChart = chartFigure({
    id: "flex-kw",
    caption: `Flexibility available, ${region} (kW, summed over households; up above zero, down below)`,
    summary: `${peakSentence("flex up", rows, (row) => row.flex_up_kw, kw, at)} ${peakSentence("flex down", rows, (row) => row.flex_down_kw, kw, at)}`,
    legendNode: legend([["Flex up (can add demand)", "var(--up)"], ["Flex down (can reduce demand)", "var(--down)"], ["Suppressed", "hatch"]]),
    crosshair: "flex",
    empty: flexEmpty,
    draw: (width) =>
      Plot.plot({
        width,
        height: 240,
        marginBottom: TIME_MARGIN_BOTTOM,
        x: timeAxis(width),
        y: { label: "kW", grid: true },
        marks: [
          suppressedBands(spans),
          Plot.areaY(rows, { x: "time", y1: 0, y2: "flex_up_kw", fill: "var(--up)", fillOpacity: 0.55, className: "flex-up" }),
          Plot.areaY(rows, { x: "time", y1: 0, y2: (row) => (row.flex_down_kw === null ? null : -row.flex_down_kw), fill: "var(--down)", fillOpacity: 0.55, className: "flex-down" }),
          Plot.ruleY([0]),
          Plot.tip(shown, Plot.pointerX({ x: "time", y: "flex_up_kw", title: (row) => `${at(row)}\nup ${kw(row.flex_up_kw)}, down ${kw(row.flex_down_kw)}\n${formatNumber(row.households)} households` })),
        ],
      }),
    data: {
      caption: `flexibility, ${region}, times AEST`,
      columns: [timeColumn(), households, { label: "Flex up (kW)", get: (row) => row.flex_up_kw }, { label: "Flex down (kW)", get: (row) => row.flex_down_kw }],
      rows,
    },
  });
  const prices = rows.flatMap((row) => [cents(row.price_buy), cents(row.price_sell)]);
  const priceChart = chartFigure({
    id: "flex-price",
    caption: `Mean price the households saw, ${region} (${PRICE_UNIT})`,
    summary: `${peakSentence("the buy price", rows, (row) => cents(row.price_buy), price, at)} ${peakSentence("the sell price", rows, (row) => cents(row.price_sell), price, at)}`,
    legendNode: legend([["Buy price", "var(--buy)"], ["Sell (feed-in) price", "var(--sell)"], ["Suppressed", "hatch"]]),
    crosshair: "flex",
    empty: priceEmpty,
    draw: (width) =>
      Plot.plot({
        width,
        height: 200,
        marginBottom: TIME_MARGIN_BOTTOM,
        x: timeAxis(width),
        y: priceAxis(prices),
        marks: [
          suppressedBands(spans),
          Plot.ruleY([0], { stroke: "var(--muted)" }),
          Plot.lineY(rows, { x: "time", y: (row) => cents(row.price_buy), stroke: "var(--buy)", className: "price-buy" }),
          Plot.lineY(rows, { x: "time", y: (row) => cents(row.price_sell), stroke: "var(--sell)", className: "price-sell" }),
          Plot.tip(shown, Plot.pointerX({ x: "time", y: (row) => cents(row.price_buy), title: (row) => `${at(row)}\nbuy ${price(cents(row.price_buy))}, sell ${price(cents(row.price_sell))}` })),
        ],
      }),
    data: {
      caption: `mean prices, ${region}, times AEST`,
      columns: [timeColumn(), households, { label: `Buy (${PRICE_UNIT})`, get: (row) => cents(row.price_buy) }, { label: `Sell (${PRICE_UNIT})`, get: (row) => cents(row.price_sell) }],
      rows,
    },
  });
  return [flexChart, priceChart];
}
