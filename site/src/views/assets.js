// View 6: batteries and EVs: energy stored, what they were told to do, and what the EVs were doing.
import { hourAxis, TIME_MARGIN_BOTTOM, timeAxis } from "../axes.js";
import { chartFigure, NO_VALUES } from "../chart.js";
import { el, legend } from "../dom.js";
import { peakSentence } from "../findings.js";
import { formatInteger, formatNumber, formatShare, formatShifted, hourLabel } from "../format.js";
import { suppressedBands, suppressedTitle } from "../plots.js";
import { denseRows, hasNoValues, suppressedSpans } from "../series.js";
import { timeColumn } from "../table.js";
import { implausibleNotice, isAllSuppressed, privacyNotice } from "../view-frame.js";

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
const kindName = (kind) => KINDS[kind]?.[0] ?? String(kind);
const at = (row) => `${formatShifted(row.time)}, ${row.kind}`;

export function render(container, loaded) {
  const { series = {}, ev_states: evStates = [], bidirectional } = loaded.body;
  const meta = loaded.body.meta;
  const kinds = Object.keys(series);
  const rowsByKind = kinds.map((kind) => denseRows(series[kind], ["assets", "stored_kwh", "setpoint_kw"]).map((row) => ({ ...row, kind: kindName(kind) })));
  const rows = rowsByKind.flat();
  const implausible = kinds.reduce((sum, kind) => sum + denseRows(series[kind], ["assets", "stored_kwh", "setpoint_kw"]).implausible, 0);
  if (isAllSuppressed(rows) && isAllSuppressed(evStates)) {
    container.append(privacyNotice(meta, "the assets view"));
    return {};
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
  container.append(...implausibleNotice(implausible));
  const spans = suppressedSpans(rowsByKind[0] ?? []);
  const kindLegend = legend([...kinds.map((kind) => KINDS[kind] ?? [kind, "var(--muted)"]), ["Suppressed", "hatch"]]);
  const color = { type: "categorical", domain: kinds.map(kindName), range: kinds.map((kind) => (KINDS[kind] ?? [0, "gray"])[1]) };
  const shown = rows.filter((row) => !row.suppressed);
  const keys = [timeColumn("Start (AEST)"), { label: "Kind", get: (row) => row.kind, key: true }, { label: "Assets", get: (row) => row.assets, format: formatInteger }];
  const Plot = globalThis.Plot;
  container.append(
    chartFigure({
      id: "assets-stored",
      caption: "Energy stored across the cohort (kWh, summed over assets)",
      summary: peakSentence("stored energy", rows, (row) => row.stored_kwh, (value) => `${formatNumber(value)} kWh`, at),
      legendNode: kindLegend,
      crosshair: "assets",
      empty: hasNoValues(rows, ["stored_kwh"]) ? NO_VALUES : null,
      draw: (width) =>
        Plot.plot({
          width,
          height: 220,
          marginBottom: TIME_MARGIN_BOTTOM,
          x: timeAxis(width),
          y: { label: "kWh", grid: true, zero: true },
          color,
          marks: [
            suppressedBands(spans),
            Plot.lineY(rows, { x: "time", y: "stored_kwh", stroke: "kind", z: "kind", strokeWidth: 2, className: "assets-stored" }),
            Plot.tip(shown, Plot.pointerX({ x: "time", y: "stored_kwh", title: (row) => `${at(row)}\n${formatNumber(row.stored_kwh)} kWh in ${formatInteger(row.assets)} assets` })),
          ],
        }),
      data: { caption: "energy stored, times AEST", columns: [...keys, { label: "Stored (kWh)", get: (row) => row.stored_kwh }], rows },
    }),
    chartFigure({
      id: "assets-setpoint",
      caption: "Total setpoint (kW, summed over assets; + charging, − discharging)",
      summary: peakSentence("the setpoint", rows, (row) => row.setpoint_kw, (value) => `${formatNumber(value)} kW`, at),
      legendNode: kindLegend.cloneNode(true),
      crosshair: "assets",
      empty: hasNoValues(rows, ["setpoint_kw"]) ? NO_VALUES : null,
      draw: (width) =>
        Plot.plot({
          width,
          height: 200,
          marginBottom: TIME_MARGIN_BOTTOM,
          x: timeAxis(width),
          y: { label: "kW", grid: true },
          color,
          marks: [
            suppressedBands(spans),
            Plot.ruleY([0]),
            Plot.lineY(rows, { x: "time", y: "setpoint_kw", stroke: "kind", z: "kind", className: "assets-setpoint" }),
            Plot.tip(shown, Plot.pointerX({ x: "time", y: "setpoint_kw", title: (row) => `${at(row)}\n${formatNumber(row.setpoint_kw)} kW` })),
          ],
        }),
      data: { caption: "summed setpoints, times AEST", columns: [...keys, { label: "Setpoint (kW)", get: (row) => row.setpoint_kw }], rows },
    }),
  );
  if (evStates.length > 0) container.append(evStateChart(evStates, meta));
  return {};
}

function evStateChart(evStates, meta) {
  const Plot = globalThis.Plot;
  if (isAllSuppressed(evStates)) return privacyNotice(meta, "the EV state chart");
  const long = evStates.filter((row) => !row.suppressed).flatMap((row) => STATES.map((state) => ({ hour_aest: row.hour_aest, state: STATE_LABELS[state], share: row[state] ?? 0, evs: row.evs })));
  const hidden = evStates.filter((row) => row.suppressed);
  return chartFigure({
    id: "assets-ev-states",
    caption: "What the EVs were doing, by hour of day (AEST; shares of EV time)",
    summary: peakSentence("the share of EVs plugged in (idle, charging or discharging)", evStates.filter((row) => !row.suppressed), (row) => (row.plugged_idle ?? 0) + (row.charging ?? 0) + (row.discharging ?? 0), formatShare, (row) => `${hourLabel(row.hour_aest)} AEST`),
    legendNode: legend([["Suppressed", "hatch"]]),
    draw: (width) =>
      Plot.plot({
        width,
        height: 260,
        x: hourAxis(width),
        y: { label: "share of EV time", percent: true, domain: [0, 100] },
        color: { legend: true, domain: STATES.map((state) => STATE_LABELS[state]), scheme: "tableau10" },
        marks: [
          Plot.barY(hidden, { x: "hour_aest", y: () => 1, fill: "url(#hatch)", className: "ev-suppressed", title: (row) => suppressedTitle(`${hourLabel(row.hour_aest)} AEST`), tip: true }),
          Plot.barY(long, { x: "hour_aest", y: "share", fill: "state", order: STATES.map((state) => STATE_LABELS[state]), className: "ev-states", title: (row) => `${hourLabel(row.hour_aest)} AEST, ${row.state}: ${formatShare(row.share)} of ${formatInteger(row.evs)} EVs`, tip: true }),
        ],
      }),
    data: {
      caption: "EV connection states by hour (AEST), shares of EV time",
      columns: [{ label: "Hour (AEST)", get: (row) => row.hour_aest, format: hourLabel, key: true }, { label: "EVs", get: (row) => row.evs, format: formatInteger }, ...STATES.map((state) => ({ label: `${STATE_LABELS[state]} (share)`, get: (row) => row[state], format: formatShare }))],
      rows: evStates,
    },
  });
}
