// Values no household could produce never reach a chart: the aggregation flags outliers, and the page
// also leaves out any value outside the plausible range, so one bad number cannot flatten an axis.
// Limits per household come from the record schema (record.schema.json and SCHEMA.md "Stricter rules").

const PRICE = [-2, 20]; // $/kWh, price_signal_seen / price_export_seen
const POWER = [-200, 200]; // kW per household connection
const DUAL = [-1000, 1000]; // $/kWh, shadow prices
const SHARE = [0, 1];
const HOUR_KWH = POWER[1]; // kWh one household can move in an hour
const MONEY = PRICE[1] * POWER[1]; // AUD one household can spend or save in an hour

/** Field name -> [low, high] per household; scaled by households where the field is a cohort sum. */
const LIMITS = {
  price_buy: { range: PRICE },
  price_sell: { range: PRICE },
  spread: { range: [PRICE[0] - PRICE[1], PRICE[1] - PRICE[0]] },
  flex_up_kw: { range: [0, POWER[1]], sum: true },
  flex_down_kw: { range: [0, POWER[1]], sum: true },
  setpoint_kw: { range: POWER, sum: "assets" },
  stored_kwh: { range: [0, 500], sum: "assets" },
  export_kwh: { range: [0, HOUR_KWH * 366], sum: true }, // an hour of day summed over up to a year
  mean_delta_kw: { range: POWER },
  ci_low_kw: { range: POWER },
  ci_high_kw: { range: POWER },
  cost_actual_aud: { range: [-MONEY, MONEY], sum: true },
  cost_baseline_aud: { range: [-MONEY, MONEY], sum: true },
  saving_aud: { range: [-2 * MONEY, 2 * MONEY], sum: true },
  export_dual_mean: { range: DUAL },
  import_dual_mean: { range: DUAL },
  mean: { range: DUAL },
  p10: { range: DUAL },
  p25: { range: DUAL },
  p50: { range: DUAL },
  p75: { range: DUAL },
  p90: { range: DUAL },
  export_at_cap_share: { range: SHARE },
  export_binding_share: { range: SHARE },
  import_at_cap_share: { range: SHARE },
  import_binding_share: { range: SHARE },
  negative_sell_share: { range: SHARE },
  binding_share: { range: SHARE },
};

/** The value if plausible for the field in this row (its households or assets scale cohort sums), else null. */
export function plausible(field, value, row = {}) {
  if (value === null || value === undefined) return null;
  if (typeof value !== "number" || !Number.isFinite(value)) return null;
  const limit = LIMITS[field];
  if (!limit) return value;
  // A sum over an unknown number of households can only be bounded loosely: 100,000 homes.
  const count = limit.sum === "assets" ? row.assets : row.households;
  const scale = limit.sum ? (Number.isFinite(count) && count > 0 ? count : 100000) : 1;
  const [low, high] = limit.range;
  return value >= low * scale - 1e-9 && value <= high * scale + 1e-9 ? value : null;
}

/** A copy of a table row with implausible values set to null; counts them in dropped.count. */
export function cleanRow(row, dropped = { count: 0 }) {
  const clean = { ...row };
  for (const field of Object.keys(LIMITS)) {
    if (!(field in row) || row[field] === null) continue;
    clean[field] = plausible(field, row[field], row);
    if (clean[field] === null) dropped.count += 1;
  }
  return clean;
}

/** Table rows cleaned; the array carries .implausible, the number of values left out. */
export function cleanRows(rows) {
  const dropped = { count: 0 };
  const clean = (Array.isArray(rows) ? rows : []).map((row) => cleanRow(row, dropped));
  clean.implausible = dropped.count;
  return clean;
}
