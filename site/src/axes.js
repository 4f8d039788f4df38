// Axes shared by the charts: market time (AEST, 24-hour), hour of day, and prices in c/kWh.
import { hourLabel, PRICE_UNIT, timeTick } from "./format.js";

export const HOURS = Array.from({ length: 24 }, (_, h) => h);
const hourStep = (width) => (width < 600 ? 6 : 3);

/** Hour-of-day band axis (heatmaps, bars); labels every 3 hours, every 6 on a phone. */
export function hourAxis(width) {
  return { type: "band", domain: HOURS, label: "Hour of day (AEST) →", tickFormat: (h) => (h % hourStep(width) === 0 ? hourLabel(h) : "") };
}

/** Hour-of-day linear axis (lines and bands over 0–23). */
export const hourLinearAxis = (width) => ({ domain: [0, 23], label: "Hour of day (AEST) →", ticks: HOURS.filter((h) => h % hourStep(width) === 0), tickFormat: hourLabel });

/** Time axis in AEST-shifted UTC: 24-hour ticks, dates at midnight. */
export const timeAxis = (width, label = "Time (AEST) →") => ({ type: "utc", label, ticks: Math.max(3, Math.floor(width / 110)), tickFormat: timeTick, labelOffset: 32 });
export const TIME_MARGIN_BOTTOM = 40;

// A spike above this many times the typical magnitude would flatten a linear axis.
const SPIKE_RATIO = 10;
const MANTISSAS = [1, 2, 5];
const PRICE_TICKS = 5; // about one tick per 40 px on the price charts (200-260 px high)

const finite = (values) => values.filter((v) => typeof v === "number" && Number.isFinite(v));

function quantile(sorted, q) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))];
}

/** Ticks 0, ±1, 2, 5, 10, 20, 50… (from constant up) within [low, high]: readable in every decade. */
export function decadeTicks(low, high, constant) {
  const ticks = [0];
  for (let power = Math.floor(Math.log10(constant)); power <= 8; power += 1) {
    for (const mantissa of MANTISSAS) {
      const step = mantissa * 10 ** power;
      if (step < constant * 0.999) continue;
      if (step <= high * 1.0001) ticks.push(step);
      if (-step >= low * 1.0001) ticks.push(-step);
    }
  }
  return ticks.sort((a, b) => a - b);
}

/**
 * A price axis in c/kWh: linear when the values fit one (no spike far above the typical price),
 * otherwise symmetric-log, which keeps negative prices and a 100× spike readable on one axis.
 */
export function priceAxis(values, { constant = 1, label = PRICE_UNIT } = {}) {
  const shown = finite(values);
  const low = Math.min(0, ...shown);
  const high = Math.max(0, ...shown);
  const magnitudes = shown.map(Math.abs).sort((a, b) => a - b);
  const typical = quantile(magnitudes, 0.9);
  const peak = magnitudes.at(-1) ?? 0;
  // The domain is made nice at the tick count it is labelled with, so a negative price always has a tick below it.
  if (peak <= SPIKE_RATIO * Math.max(typical, constant)) return { type: "linear", label, grid: true, ticks: PRICE_TICKS, nice: PRICE_TICKS, domain: [low, high] };
  return { type: "symlog", constant, label: `${label} (log scale)`, grid: true, domain: [low, high], ticks: decadeTicks(low, high, constant), tickFormat: (v) => v.toLocaleString("en-AU") };
}
