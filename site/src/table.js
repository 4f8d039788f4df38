// The rows a chart draws, as a data table (its text alternative) and as CSV (its download). Both come
// from the same column list, so the table and the file never disagree.
// A column: {label (with its unit), get: (row) => raw value, format?: (raw) => text, key?: true}.
// Key columns (time, hour, region) are shown for suppressed rows too; the others say "suppressed".
import { el } from "./dom.js";
import { formatNumber, formatShifted, isoAest } from "./format.js";

const text = (column, row) => {
  const raw = column.get(row);
  if (column.format) return column.format(raw);
  if (raw instanceof Date) return formatShifted(raw);
  if (typeof raw === "number" || raw === null || raw === undefined) return formatNumber(raw);
  return String(raw);
};

/** A time column of AEST-shifted Dates: "2026-11-15 14:05 AEST" in the table, ISO with +10:00 in CSV. */
export const timeColumn = (label = "Start (AEST)", field = "time") => ({ label, get: (row) => row[field], key: true });

/** An accessible table inside a <details>; rows are built when it is first opened (weeks of 5-minute data). */
export function dataTable(caption, columns, rows) {
  const head = el("tr", {}, columns.map((column) => el("th", { scope: "col" }, column.label)));
  const row = (item) =>
    el(
      "tr",
      {},
      columns.map((column) => (item.suppressed && !column.key ? el("td", { class: "suppressed" }, "suppressed") : el("td", {}, text(column, item)))),
    );
  const body = el("tbody");
  const table = el("table", {}, el("caption", { class: "visually-hidden" }, caption), el("thead", {}, head), body);
  // A scrolling box must be reachable by keyboard (axe: scrollable-region-focusable).
  const scroll = el("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": `Data table: ${caption}` }, table);
  const details = el("details", { class: "table" }, el("summary", {}, `Data table: ${caption} (${rows.length} rows)`), scroll);
  details.addEventListener("toggle", () => {
    if (details.open && body.childElementCount === 0) body.append(...rows.map(row));
  });
  return details;
}

function csvCell(value) {
  if (value === null || value === undefined || (typeof value === "number" && !Number.isFinite(value))) return "";
  let text = value instanceof Date ? isoAest(value) : String(value);
  // A data string a spreadsheet would run as a formula is kept as text.
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** CSV text: a header of labels (with units), one line per row, suppressed rows marked in their own column. */
export function csvText(columns, rows) {
  const header = [...columns.map((column) => column.label), "suppressed"];
  const lines = [header.map(csvCell).join(",")];
  for (const row of rows) {
    const cells = columns.map((column) => (row.suppressed && !column.key ? null : column.get(row)));
    lines.push([...cells, row.suppressed ? "true" : "false"].map(csvCell).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}
