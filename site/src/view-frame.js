// What every view shows around its charts: title, explanation, the households and period behind
// it, a link to its data file, and why it is drawing the demo sample or hiding cells.
import { el } from "./dom.js";
import { formatInteger, formatPeriod } from "./format.js";

/** Header of a view: title, explanation, provenance line, data link, and any demo or privacy notice. */
export function viewHeader(spec, loaded, { demoState }) {
  const meta = loaded.body.meta;
  const nodes = [el("h2", { id: `${spec.id}-title` }, spec.title), el("p", { class: "explain" }, spec.explain)];
  if (loaded.source === "demo" && !demoState) {
    nodes.push(
      el(
        "div",
        { class: "view-demo-notice", role: "status", "data-testid": "view-demo-notice" },
        el("strong", {}, "Demo data in this view. "),
        `${loaded.problem}, so this view shows the synthetic sample instead. The other views are unaffected.`,
      ),
    );
  }
  nodes.push(
    el(
      "p",
      { class: "provenance" },
      el("span", {}, `${formatInteger(meta.households)} households`),
      el("span", {}, formatPeriod(meta.period)),
      el("span", {}, loaded.source === "demo" ? "synthetic sample" : `file title: ${meta.title ?? spec.title}`),
      el("span", {}, el("a", { href: loaded.url, download: "" }, `Download ${loaded.url}`)),
    ),
  );
  if (meta.notes) nodes.push(el("p", { class: "provenance notes" }, `Method notes: ${meta.notes}`));
  return nodes;
}

/**
 * When suppression hides a whole view (a young cohort), say so and how many more households the
 * small-cell rule needs, instead of drawing empty axes.
 */
export function privacyNotice(meta, what = "this view") {
  const minimum = meta?.suppression?.min_households;
  const households = meta?.households ?? 0;
  const missing = Number.isFinite(minimum) ? Math.max(0, minimum - households) : null;
  const text =
    missing && missing > 0
      ? `Every cell of ${what} is suppressed to protect privacy: the cohort has ${formatInteger(households)} households and each published cell needs at least ${minimum}. It needs ${missing} more household${missing === 1 ? "" : "s"}.`
      : `Every cell of ${what} is suppressed to protect privacy: no cell passed the small-cell rule (${meta?.suppression?.rule ?? "see the data page"}).`;
  return el("div", { class: "privacy-notice", role: "status", "data-testid": "privacy-notice" }, text);
}

/** A view that could not load: says what is wrong, in its own panel only. */
export function viewError(spec, error) {
  return [
    el("h2", {}, spec.title),
    el("p", { class: "explain" }, spec.explain),
    el("div", { class: "view-error", role: "alert", "data-testid": "view-error" }, `This view cannot be shown: ${error.message}`),
  ];
}

export const isAllSuppressed = (rows) => rows.length > 0 && rows.every((row) => row.suppressed);

/** A notice when values beyond the plausible range were left out of the charts (plausible.js). */
export function implausibleNotice(count) {
  if (!count) return [];
  return [
    el(
      "p",
      { class: "privacy-notice", role: "status", "data-testid": "implausible-notice" },
      `${count.toLocaleString("en-AU")} value${count === 1 ? "" : "s"} beyond the range any household could produce ${count === 1 ? "is" : "are"} left out of these charts and tables.`,
    ),
  ];
}
