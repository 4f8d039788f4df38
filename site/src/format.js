// Display conventions: NEM market time (AEST, UTC+10, no daylight saving) and units.

export const AEST_OFFSET_MS = 10 * 3600 * 1000;
const INTERVAL_MS = { "5m": 5 * 60 * 1000, "1h": 3600 * 1000, "1d": 24 * 3600 * 1000 };

/** Milliseconds of a dense-series interval name ("5m", "1h", "1d"). */
export function intervalMs(name) {
  const ms = INTERVAL_MS[name];
  if (!ms) throw new Error(`unknown interval ${JSON.stringify(String(name))}`);
  return ms;
}

/**
 * A Date whose UTC fields read as AEST wall-clock time: Plot draws dates in UTC, so shifting by
 * +10 h and labelling the axis "AEST" shows market time whatever the viewer's own zone is.
 */
export function aestDate(utc) {
  const ms = typeof utc === "number" ? utc : Date.parse(utc);
  return new Date(ms + AEST_OFFSET_MS);
}

const pad = (n) => String(n).padStart(2, "0");

/** "2026-11-22 14:05 AEST" from a UTC ISO string. */
export function formatAest(utc) {
  if (!utc) return "unknown";
  const d = aestDate(utc);
  if (Number.isNaN(d.getTime())) return "unknown";
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} AEST`;
}

/** A period {start, end (exclusive)} as AEST dates. */
export function formatPeriod(period) {
  if (!period || !period.start) return "unknown period";
  return `${formatAest(period.start)} to ${formatAest(period.end)} (end exclusive)`;
}

export function formatNumber(value, digits = 3) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  return Number(value).toLocaleString("en-AU", { maximumSignificantDigits: digits });
}

export const formatInteger = (value) =>
  value === null || value === undefined ? "–" : Math.round(value).toLocaleString("en-AU");

export const formatAud = (value) =>
  value === null || value === undefined
    ? "–"
    : Number(value).toLocaleString("en-AU", { style: "currency", currency: "AUD", maximumFractionDigits: 2 });

export const formatShare = (value) =>
  value === null || value === undefined ? "–" : `${(value * 100).toFixed(value < 0.1 ? 1 : 0)} %`;

/** $/kWh to c/kWh, the unit retail customers see on their bills. */
export const cents = (dollars) => (dollars === null || dollars === undefined ? null : dollars * 100);

export const hourLabel = (hour) => `${pad(hour)}:00`;
