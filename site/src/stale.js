// A notice when the newest published data is old: the page says how old instead of looking current.
import { formatAest, formatAge } from "./format.js";

/** Data older than this is called stale (the aggregation runs every few minutes to hourly). */
export const STALE_AFTER_MS = 2 * 3600e3;

/** The newest data time status.json states (UTC ISO), or null. */
export const newestData = (status) => status?.body?.newest_data ?? status?.body?.last_updated ?? null;

export function showStaleNotice(status, now = Date.now()) {
  const notice = document.getElementById("stale-notice");
  const newest = Date.parse(newestData(status) ?? "");
  const age = now - newest;
  if (!notice || Number.isNaN(newest) || age <= STALE_AFTER_MS) return;
  notice.textContent = `The newest data is ${formatAge(age)} old (last interval ${formatAest(new Date(newest).toISOString())}): the cohort has not published since, so every view shows that time's picture.`;
  notice.hidden = false;
}
