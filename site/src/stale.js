// A notice when the newest published data is old: the page says how old instead of looking current.
import { el } from "./dom.js";
import { formatAest, formatAge } from "./format.js";

/** Data older than this is called stale (the aggregation runs every few minutes to hourly). */
export const STALE_AFTER_MS = 2 * 3600e3;

/** The end of the newest published interval (status.json, UTC ISO; older files: its start), or null. */
export const newestData = (status) => status?.body?.newest_data_at ?? status?.body?.last_updated ?? null;

export function showStaleNotice(status, now = Date.now()) {
  const notice = document.getElementById("stale-notice");
  const newest = Date.parse(newestData(status) ?? "");
  const age = now - newest;
  if (!notice || Number.isNaN(newest) || age <= STALE_AFTER_MS) return;
  notice.replaceChildren(
    `The newest data is ${formatAge(age)} old (up to ${formatAest(new Date(newest).toISOString())})`,
    el("span", { class: "more" }, ": nothing newer has been published, so every view shows that time"),
    ".",
  );
  notice.hidden = false;
}
