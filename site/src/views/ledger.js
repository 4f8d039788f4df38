// View 4: what the optimiser saved (or cost) against the naive baseline, hour by hour and in total,
// per household (the default: comparable as the cohort grows) or as the cohort's total.
import { TIME_MARGIN_BOTTOM, timeAxis } from "../axes.js";
import { chartFigure, NO_VALUES } from "../chart.js";
import { choiceButtons, controlsRow, regionChoice } from "../controls.js";
import { legend } from "../dom.js";
import { peakSentence } from "../findings.js";
import { formatAud, formatNumber, formatShifted, intervalWord, shortPeriod } from "../format.js";
import { suppressedBands } from "../plots.js";
import { denseRows, hasNoValues, suppressedSpans } from "../series.js";
import { timeColumn } from "../table.js";
import { implausibleNotice, isAllSuppressed, privacyNotice } from "../view-frame.js";

export const spec = {
  id: "ledger",
  file: "ledger",
  tab: "Ledger",
  title: "Counterfactual ledger: what shifting demand was worth",
  explain:
    "Each hour, the cohort's actual energy bill is compared with what the same homes would have paid following a naive baseline (no optimiser). Bars show the hourly saving in Australian dollars (below zero means the optimiser cost money that hour); the line adds them up. Per household divides each hour by the households reporting in it, so the figures stay comparable as the cohort grows; cohort total is the sum over all of them. It tells a household, a retailer or a policymaker whether flexibility pays at today's prices, and the method notes say which baseline was used.",
};

const FIELDS = ["households", "cost_actual_aud", "cost_baseline_aud", "saving_aud", "cumulative_saving_aud"];
const BASES = [
  { value: "household", label: "Per household" },
  { value: "total", label: "Cohort total" },
];
const at = (row) => formatShifted(row.time);

// Per household: each hour's figures divided by the households reporting in it; the running sum of those.
function onBasis(rows, basis) {
  let running = 0;
  return rows.map((row) => {
    if (basis === "total" || row.saving_aud === null) return { ...row, cumulative: row.cumulative_saving_aud };
    const per = (value) => (value === null || !row.households ? null : value / row.households);
    running += per(row.saving_aud) ?? 0;
    return { ...row, cost_actual_aud: per(row.cost_actual_aud), cost_baseline_aud: per(row.cost_baseline_aud), saving_aud: per(row.saving_aud), cumulative: running };
  });
}

export function render(container, loaded, { params }) {
  const series = loaded.body.series ?? {};
  const region = regionChoice(Object.keys(series), params);
  const basis = choiceButtons({ name: "basis", label: "Show", options: BASES, params, fallback: "household", what: "the basis" });
  const block = series[region.value];
  const raw = denseRows(block, FIELDS);
  const step = intervalWord(block?.interval ?? "1h");
  container.append(...controlsRow(region, basis), ...implausibleNotice(raw.implausible), ...charts(onBasis(raw, basis.value), region.value, basis.value, step, loaded.body.meta));
  return { region: region.value };
}

function charts(rows, region, basis, step, meta) {
  if (isAllSuppressed(rows)) return [privacyNotice(meta, `the ${region} ledger`)];
  const Plot = globalThis.Plot;
  const spans = suppressedSpans(rows);
  const bars = rows.filter((row) => row.saving_aud !== null);
  const perHousehold = basis === "household";
  const unit = perHousehold ? "AUD per household" : "AUD, cohort total";
  const money = (value) => formatAud(value);
  const total = bars.at(-1)?.cumulative ?? null;
  const households = Math.max(0, ...rows.map((row) => row.households ?? 0));
  const period = shortPeriod(meta?.period);
  const empty = hasNoValues(rows, ["saving_aud"]) ? NO_VALUES : null;
  const columns = [
    timeColumn("Start (AEST)"),
    { label: "Households", get: (row) => row.households, format: (value) => formatNumber(value) },
    { label: `Actual cost (${unit})`, get: (row) => row.cost_actual_aud, format: money },
    { label: `Baseline cost (${unit})`, get: (row) => row.cost_baseline_aud, format: money },
    { label: `Saving (${unit})`, get: (row) => row.saving_aud, format: money },
    { label: `Cumulative saving (${unit})`, get: (row) => row.cumulative, format: money },
  ];
  const data = { caption: `${step} ledger, ${region}, ${unit}, times AEST`, columns, rows };
  const Step = `${step[0].toUpperCase()}${step.slice(1)}`;
  return [
    chartFigure({
      id: "ledger-hourly",
      caption: `${Step} saving against the baseline, ${region} (${unit})`,
      summary: peakSentence(perHousehold ? `the ${step} saving per household` : `the cohort's ${step} saving`, bars, (row) => row.saving_aud, money, at),
      legendNode: legend([["Saving", "var(--up)"], ["Extra cost", "var(--down)"], ["Suppressed", "hatch"]]),
      crosshair: "ledger",
      empty,
      draw: (width) =>
        Plot.plot({
          width,
          height: 220,
          marginBottom: TIME_MARGIN_BOTTOM,
          x: timeAxis(width),
          y: { label: `${unit}, ${step}`, grid: true },
          marks: [
            suppressedBands(spans),
            ...[
              [bars.filter((row) => row.saving_aud >= 0), "var(--up)"],
              [bars.filter((row) => row.saving_aud < 0), "var(--down)"],
            ].map(([rowsOfSign, fill]) => Plot.rectY(rowsOfSign, { x1: "time", x2: "end", y: "saving_aud", fill, insetLeft: 0.5, className: "ledger-bars" })),
            Plot.ruleY([0]),
            Plot.tip(bars, Plot.pointerX({ x: (row) => new Date((row.time.getTime() + row.end.getTime()) / 2), y: "saving_aud", title: (row) => `${at(row)}\nsaving ${money(row.saving_aud)} (${unit})\n${formatNumber(row.households)} households` })),
          ],
        }),
      data,
    }),
    chartFigure({
      id: "ledger-cumulative",
      caption: `Cumulative saving, ${region} (${unit})`,
      summary: `${perHousehold ? "Per household" : "The cohort"} saved ${money(total)} over ${period}${perHousehold ? "" : ` (up to ${formatNumber(households)} households reporting in an hour)`}.`,
      crosshair: "ledger",
      empty,
      draw: (width) =>
        Plot.plot({
          width,
          height: 200,
          marginBottom: TIME_MARGIN_BOTTOM,
          x: timeAxis(width),
          y: { label: unit, grid: true },
          marks: [
            suppressedBands(spans),
            Plot.ruleY([0]),
            Plot.lineY(rows, { x: "time", y: "cumulative", stroke: "var(--accent)", strokeWidth: 2, className: "ledger-cumulative" }),
            Plot.tip(bars, Plot.pointerX({ x: "time", y: "cumulative", title: (row) => `${at(row)}\ncumulative ${money(row.cumulative)} (${unit})` })),
          ],
        }),
      data: { ...data, caption: `cumulative saving, ${region}, ${unit}, times AEST`, columns: [columns[0], columns[1], columns[5]] },
    }),
  ];
}
