// View 1: cohort flexibility up and down over time, with the buy and sell price beside it.
import { chartFigure } from "../chart.js";
import { dataTable, el, legend, picker } from "../dom.js";
import { cents, formatAest, formatNumber } from "../format.js";
import { suppressedBands, symlogPrice, TIME_MARGIN_BOTTOM, timeAxis } from "../plots.js";
import { denseRows, suppressedSpans } from "../series.js";
import { isAllSuppressed, privacyNotice } from "../view-frame.js";

export const spec = {
  id: "flex",
  file: "flex",
  tab: "Flexibility",
  title: "Cohort flexibility: how much the households could shift",
  explain:
    "How many kilowatts the cohort's batteries, EVs and shiftable loads could add to demand (flex up: soak up cheap or surplus energy) or take off it (flex down: ease a tight grid) at each moment, next to the average buy and sell price the households saw. This is the demand-side resource AEMO's price-responsive-resources work wants to see: flexibility that already exists in homes and when it is available.",
};

const FIELDS = ["households", "flex_up_kw", "flex_down_kw", "price_buy", "price_sell"];

export function render(container, loaded) {
  const series = loaded.body.series ?? {};
  const regions = Object.keys(series);
  let region = regions.includes("NEM") ? "NEM" : regions[0];
  const holder = el("div");
  const draw = () => {
    const rows = denseRows(series[region], FIELDS);
    holder.replaceChildren(...charts(rows, region, loaded.body.meta));
  };
  container.append(el("div", { class: "controls" }, picker("Region", regions, region, (value) => ((region = value), draw()))), holder);
  draw();
}

function charts(rows, region, meta) {
  if (isAllSuppressed(rows)) return [privacyNotice(meta, `the ${region} flexibility series`)];
  const Plot = globalThis.Plot;
  const spans = suppressedSpans(rows);
  const shown = rows.filter((row) => !row.suppressed);
  const table = dataTable(
    `flexibility and prices, ${region}, times AEST`,
    [
      { label: "Start (AEST)", value: (row) => formatAest(row.time.getTime() - 10 * 3600e3), hideWhenSuppressed: false },
      { label: "Households", value: (row) => formatNumber(row.households), suppressed: (row) => row.suppressed },
      { label: "Flex up (kW)", value: (row) => formatNumber(row.flex_up_kw) },
      { label: "Flex down (kW)", value: (row) => formatNumber(row.flex_down_kw) },
      { label: "Buy (c/kWh)", value: (row) => formatNumber(cents(row.price_buy)) },
      { label: "Sell (c/kWh)", value: (row) => formatNumber(cents(row.price_sell)) },
    ],
    rows,
  );
  const flexChart = chartFigure({
    id: "flex-kw",
    caption: `Flexibility available, ${region} (kW; up above zero, down below)`,
    summary: `Area chart of flexibility available in ${region} over ${rows.length} intervals; ${spans.length} suppressed spans hatched.`,
    legendNode: legend([["Flex up (can add demand)", "var(--up)"], ["Flex down (can reduce demand)", "var(--down)"], ["Suppressed", "hatch"]]),
    draw: (width) =>
      Plot.plot({
        width,
        height: 260,
        marginBottom: TIME_MARGIN_BOTTOM,
        x: timeAxis(width),
        y: { label: "kW", grid: true },
        marks: [
          suppressedBands(spans),
          Plot.areaY(rows, { x: "time", y1: 0, y2: "flex_up_kw", fill: "var(--up)", fillOpacity: 0.55, className: "flex-up" }),
          Plot.areaY(rows, { x: "time", y1: 0, y2: (row) => (row.flex_down_kw === null ? null : -row.flex_down_kw), fill: "var(--down)", fillOpacity: 0.55, className: "flex-down" }),
          Plot.ruleY([0]),
          Plot.tip(shown, Plot.pointerX({ x: "time", y: "flex_up_kw", title: (row) => `${formatAest(row.time.getTime() - 10 * 3600e3)}\nup ${formatNumber(row.flex_up_kw)} kW, down ${formatNumber(row.flex_down_kw)} kW` })),
        ],
      }),
    table,
  });
  const priceChart = chartFigure({
    id: "flex-price",
    caption: `Average price seen, ${region} (c/kWh, symmetric log scale: negatives and spikes both fit)`,
    summary: `Line chart of the mean buy and sell price in ${region}.`,
    legendNode: legend([["Buy price", "var(--buy)"], ["Sell (feed-in) price", "var(--sell)"], ["Suppressed", "hatch"]]),
    draw: (width) =>
      Plot.plot({
        width,
        height: 200,
        marginBottom: TIME_MARGIN_BOTTOM,
        x: timeAxis(width),
        y: symlogPrice("c/kWh", rows.flatMap((row) => [cents(row.price_buy), cents(row.price_sell)])),
        marks: [
          suppressedBands(spans),
          Plot.ruleY([0], { stroke: "var(--muted)" }),
          Plot.lineY(rows, { x: "time", y: (row) => cents(row.price_buy), stroke: "var(--buy)", className: "price-buy" }),
          Plot.lineY(rows, { x: "time", y: (row) => cents(row.price_sell), stroke: "var(--sell)", className: "price-sell" }),
        ],
      }),
  });
  return [flexChart, priceChart];
}
