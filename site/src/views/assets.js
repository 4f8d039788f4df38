// View 6: batteries and EVs: energy stored, what they were told to do, and what the EVs were doing.
import { chartFigure } from "../chart.js";
import { dataTable, el, legend } from "../dom.js";
import { formatAest, formatInteger, formatNumber, formatShare, hourLabel } from "../format.js";
import { hourAxis, suppressedBands, suppressedTitle, TIME_MARGIN_BOTTOM, timeAxis } from "../plots.js";
import { denseRows, suppressedSpans } from "../series.js";
import { isAllSuppressed, privacyNotice } from "../view-frame.js";

export const spec = {
  id: "assets",
  file: "assets",
  tab: "Assets & V2G",
  title: "Assets and vehicle-to-grid",
  explain:
    "The cohort's home batteries and electric vehicles: how much energy they hold across the cohort, the total charging (+) or discharging (−) the optimiser set, and, hour by hour, what share of EVs were unplugged, plugged in idle, charging, discharging or driving. Plugged-in EVs that can discharge (V2G) are the largest untapped battery fleet in the NEM; this shows when they are actually there.",
};

const KINDS = { stationary_battery: ["Home batteries", "var(--accent)"], ev: ["Electric vehicles", "var(--sell)"] };
const STATES = ["unplugged", "plugged_idle", "charging", "discharging", "driving"];
const STATE_LABELS = { unplugged: "Unplugged", plugged_idle: "Plugged in, idle", charging: "Charging", discharging: "Discharging (V2G)", driving: "Driving" };
const UTC = (row) => row.time.getTime() - 10 * 3600e3;

export function render(container, loaded) {
  const { series = {}, ev_states: evStates = [], bidirectional } = loaded.body;
  const meta = loaded.body.meta;
  const kinds = Object.keys(series);
  const rowsByKind = kinds.map((kind) => denseRows(series[kind], ["assets", "stored_kwh", "setpoint_kw"]).map((row) => ({ ...row, kind: KINDS[kind]?.[0] ?? String(kind) })));
  const rows = rowsByKind.flat();
  if (isAllSuppressed(rows) && isAllSuppressed(evStates)) {
    container.append(privacyNotice(meta, "the assets view"));
    return;
  }
  if (bidirectional) {
    container.append(
      el(
        "p",
        { class: "provenance" },
        `${formatInteger(bidirectional.evs)} EVs; ${formatShare(bidirectional.bidirectional_capable_share)} can discharge to the home or grid; ${formatShare(bidirectional.discharging_share)} of EV time spent discharging.`,
      ),
    );
  }
  const spans = suppressedSpans(rowsByKind[0] ?? []);
  const kindLegend = legend([...kinds.map((kind) => KINDS[kind] ?? [kind, "var(--muted)"]), ["Suppressed", "hatch"]]);
  const color = { type: "categorical", domain: kinds.map((kind) => KINDS[kind]?.[0] ?? String(kind)), range: kinds.map((kind) => (KINDS[kind] ?? [0, "gray"])[1]) };
  const table = dataTable(
    "assets by hour, times AEST",
    [
      { label: "Hour start (AEST)", value: (row) => `${formatAest(UTC(row))} ${row.kind}`, hideWhenSuppressed: false },
      { label: "Assets", value: (row) => formatInteger(row.assets), suppressed: (row) => row.suppressed },
      { label: "Stored (kWh)", value: (row) => formatNumber(row.stored_kwh) },
      { label: "Setpoint (kW)", value: (row) => formatNumber(row.setpoint_kw) },
    ],
    rows,
  );
  container.append(
    chartFigure({
      id: "assets-stored",
      caption: "Energy stored across the cohort (kWh)",
      summary: `Line chart of energy stored in ${kinds.length} kinds of asset over time.`,
      legendNode: kindLegend,
      draw: (width) =>
        globalThis.Plot.plot({
          width,
          height: 220,
          marginBottom: TIME_MARGIN_BOTTOM,
          x: timeAxis(width),
          y: { label: "kWh", grid: true, zero: true },
          color,
          marks: [suppressedBands(spans), globalThis.Plot.lineY(rows, { x: "time", y: "stored_kwh", stroke: "kind", z: "kind", strokeWidth: 2, className: "assets-stored" })],
        }),
      table,
    }),
    chartFigure({
      id: "assets-setpoint",
      caption: "Total setpoint (kW; + charging, − discharging)",
      summary: "Line chart of the summed charge and discharge setpoints over time.",
      draw: (width) =>
        globalThis.Plot.plot({
          width,
          height: 200,
          marginBottom: TIME_MARGIN_BOTTOM,
          x: timeAxis(width),
          y: { label: "kW", grid: true },
          color,
          marks: [suppressedBands(spans), globalThis.Plot.ruleY([0]), globalThis.Plot.lineY(rows, { x: "time", y: "setpoint_kw", stroke: "kind", z: "kind", className: "assets-setpoint" })],
        }),
    }),
  );
  if (evStates.length > 0) container.append(evStateChart(evStates, meta));
}

function evStateChart(evStates, meta) {
  const Plot = globalThis.Plot;
  if (isAllSuppressed(evStates)) return privacyNotice(meta, "the EV state chart");
  const long = evStates.filter((row) => !row.suppressed).flatMap((row) => STATES.map((state) => ({ hour_aest: row.hour_aest, state: STATE_LABELS[state], share: row[state] ?? 0, evs: row.evs })));
  const hidden = evStates.filter((row) => row.suppressed);
  const table = dataTable(
    "EV connection states by hour (AEST), shares of EV time",
    [
      { label: "Hour (AEST)", value: (row) => hourLabel(row.hour_aest), hideWhenSuppressed: false },
      { label: "EVs", value: (row) => formatInteger(row.evs), suppressed: (row) => row.suppressed },
      ...STATES.map((state) => ({ label: STATE_LABELS[state], value: (row) => formatShare(row[state]) })),
    ],
    evStates,
  );
  return chartFigure({
    id: "assets-ev-states",
    caption: "What the EVs were doing, by hour of day (AEST)",
    summary: `Stacked bar chart of EV connection-state shares for ${evStates.length} hours; ${hidden.length} suppressed hours hatched.`,
    legendNode: legend([["Suppressed", "hatch"]]),
    draw: (width) =>
      Plot.plot({
        width,
        height: 260,
        x: hourAxis(width),
        y: { label: "share of EV time", percent: true, domain: [0, 100] },
        color: { legend: true, domain: STATES.map((state) => STATE_LABELS[state]), scheme: "tableau10" },
        marks: [
          Plot.barY(hidden, { x: "hour_aest", y: () => 1, fill: "url(#hatch)", className: "ev-suppressed", title: (row) => suppressedTitle(`${hourLabel(row.hour_aest)} AEST`) }),
          Plot.barY(long, { x: "hour_aest", y: "share", fill: "state", order: STATES.map((state) => STATE_LABELS[state]), className: "ev-states", title: (row) => `${hourLabel(row.hour_aest)} AEST, ${row.state}: ${formatShare(row.share)}` }),
        ],
      }),
    table,
  });
}
