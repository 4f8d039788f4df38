// View 4: what the optimiser saved (or cost) against the naive baseline, hour by hour and in total.
import { chartFigure } from "../chart.js";
import { dataTable, el, legend, picker } from "../dom.js";
import { formatAest, formatAud } from "../format.js";
import { suppressedBands, TIME_MARGIN_BOTTOM, timeAxis } from "../plots.js";
import { denseRows, suppressedSpans } from "../series.js";
import { isAllSuppressed, privacyNotice } from "../view-frame.js";

export const spec = {
  id: "ledger",
  file: "ledger",
  tab: "Ledger",
  title: "Counterfactual ledger: what shifting demand was worth",
  explain:
    "Each hour, the cohort's actual energy bill is compared with what the same homes would have paid following a naive baseline (no optimiser). Bars show the hourly saving in Australian dollars (below zero means the optimiser cost money that hour); the line adds them up. It tells a household, a retailer or a policymaker whether flexibility pays at today's prices, and the method notes say which baseline was used.",
};

const FIELDS = ["households", "cost_actual_aud", "cost_baseline_aud", "saving_aud", "cumulative_saving_aud"];
const UTC = (row) => row.time.getTime() - 10 * 3600e3;

export function render(container, loaded) {
  const series = loaded.body.series ?? {};
  const regions = Object.keys(series);
  let region = regions.includes("NEM") ? "NEM" : regions[0];
  const holder = el("div");
  const draw = () => holder.replaceChildren(...charts(denseRows(series[region], FIELDS), region, loaded.body.meta));
  container.append(el("div", { class: "controls" }, picker("Region", regions, region, (value) => ((region = value), draw()))), holder);
  draw();
}

function charts(rows, region, meta) {
  if (isAllSuppressed(rows)) return [privacyNotice(meta, `the ${region} ledger`)];
  const Plot = globalThis.Plot;
  const spans = suppressedSpans(rows);
  const bars = rows.filter((row) => row.saving_aud !== null);
  const table = dataTable(
    `hourly ledger, ${region}, times AEST`,
    [
      { label: "Hour start (AEST)", value: (row) => formatAest(UTC(row)), hideWhenSuppressed: false },
      { label: "Actual cost", value: (row) => formatAud(row.cost_actual_aud), suppressed: (row) => row.suppressed },
      { label: "Baseline cost", value: (row) => formatAud(row.cost_baseline_aud) },
      { label: "Saving", value: (row) => formatAud(row.saving_aud) },
      { label: "Cumulative", value: (row) => formatAud(row.cumulative_saving_aud) },
    ],
    rows,
  );
  return [
    chartFigure({
      id: "ledger-hourly",
      caption: `Hourly saving against the baseline, ${region} (AUD)`,
      summary: `Bar chart of ${bars.length} hourly savings in ${region}; ${spans.length} suppressed spans hatched.`,
      legendNode: legend([["Saving", "var(--up)"], ["Extra cost", "var(--down)"], ["Suppressed", "hatch"]]),
      draw: (width) =>
        Plot.plot({
          width,
          height: 240,
          marginBottom: TIME_MARGIN_BOTTOM,
          x: timeAxis(width),
          y: { label: "AUD per hour", grid: true },
          marks: [
            suppressedBands(spans),
            ...[
              [bars.filter((row) => row.saving_aud >= 0), "var(--up)"],
              [bars.filter((row) => row.saving_aud < 0), "var(--down)"],
            ].map(([data, fill]) =>
              Plot.rectY(data, { x1: "time", x2: "end", y: "saving_aud", fill, insetLeft: 0.5, className: "ledger-bars", title: (row) => `${formatAest(UTC(row))}: ${formatAud(row.saving_aud)}` }),
            ),
            Plot.ruleY([0]),
          ],
        }),
      table,
    }),
    chartFigure({
      id: "ledger-cumulative",
      caption: `Cumulative saving, ${region} (AUD)`,
      summary: `Line chart of the cumulative saving in ${region}, reaching ${formatAud(bars.at(-1)?.cumulative_saving_aud ?? null)}.`,
      draw: (width) =>
        Plot.plot({
          width,
          height: 200,
          marginBottom: TIME_MARGIN_BOTTOM,
          x: timeAxis(width),
          y: { label: "AUD", grid: true },
          marks: [suppressedBands(spans), Plot.ruleY([0]), Plot.lineY(rows, { x: "time", y: "cumulative_saving_aud", stroke: "var(--accent)", strokeWidth: 2, className: "ledger-cumulative" })],
        }),
    }),
  ];
}
