// Display conventions: NEM market time (AEST, UTC+10, no daylight saving) and units.

export const AEST_OFFSET_MS = 10 * 3600 * 1000;
const INTERVAL_MS = { "5m": 5 * 60 * 1000, "1h": 3600 * 1000, "1d": 24 * 3600 * 1000 };

// Series name their interval "5m", the view catalogue its resolution "5min": both read the same.
const INTERVAL_WORDS = { "5m": "5-minute", "5min": "5-minute", "1h": "hourly", "1d": "daily" };

/** "5-minute", "hourly", "daily" for an interval or resolution name (the name itself when unknown). */
export const intervalWord = (name) => INTERVAL_WORDS[name] ?? String(name ?? "");

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

/** AUD with cents; amounts under a dollar keep three significant digits (a household's hour is often cents). */
export const formatAud = (value) =>
  value === null || value === undefined
    ? "–"
    : Number(value).toLocaleString("en-AU", { style: "currency", currency: "AUD", ...(Math.abs(value) < 1 && value !== 0 ? { maximumSignificantDigits: 3 } : { maximumFractionDigits: 2 }) });

export const formatShare = (value) =>
  value === null || value === undefined ? "–" : `${(value * 100).toFixed(value < 0.1 ? 1 : 0)} %`;

/** The one price unit the page displays (files hold $/kWh). */
export const PRICE_UNIT = "c/kWh";

/** $/kWh to c/kWh, the unit retail customers see on their bills. */
export const cents = (dollars) => (dollars === null || dollars === undefined ? null : dollars * 100);

export const hourLabel = (hour) => `${pad(hour)}:00`;

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Tick label of an AEST-shifted Date: "15 Nov" at midnight, else 24-hour "14:00" (never "2 PM"). */
export function timeTick(date) {
  if (date.getUTCHours() === 0 && date.getUTCMinutes() === 0) return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]}`;
  return `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`;
}

/** An AEST-shifted Date as "2026-11-15 14:05 AEST" (rows carry shifted dates for Plot). */
export const formatShifted = (date) => formatAest(date.getTime() - AEST_OFFSET_MS);

/** An AEST-shifted Date as ISO 8601 with its +10:00 offset, for CSV files. */
export function isoAest(date) {
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}+10:00`;
}

/** A duration in plain words: "3 hours", "15 days". */
export function formatAge(ms) {
  const hours = ms / 3600e3;
  if (hours < 48) return `${Math.max(1, Math.round(hours))} hour${Math.round(hours) === 1 ? "" : "s"}`;
  const days = Math.round(hours / 24);
  return `${days} days`;
}

/** A period as "15 Nov to 22 Nov 2026 (AEST)", short enough for a card. */
export function shortPeriod(period) {
  if (!period || !period.start || !period.end) return "unknown period";
  const start = aestDate(period.start);
  const last = aestDate(Date.parse(period.end) - 1);
  return `${start.getUTCDate()} ${MONTHS[start.getUTCMonth()]} to ${last.getUTCDate()} ${MONTHS[last.getUTCMonth()]} ${last.getUTCFullYear()} (AEST)`;
}
