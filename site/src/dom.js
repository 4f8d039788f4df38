// Small DOM helpers. Text always goes in through textContent, so a data string is never parsed as HTML.

/** el("p", {class: "x"}, "text", child) — attributes are set with setAttribute, children as text nodes or elements. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/**
 * An accessible data table inside a <details>: the text alternative for a chart.
 * columns: [{label, value: (row) => text, suppressed?: (row) => bool}]
 */
export function dataTable(caption, columns, rows) {
  const head = el("tr", {}, columns.map((column) => el("th", { scope: "col" }, column.label)));
  const row = (item) => {
    const hidden = columns.some((column) => column.suppressed && column.suppressed(item));
    return el(
      "tr",
      {},
      columns.map((column, i) =>
        hidden && i > 0 && column.hideWhenSuppressed !== false
          ? el("td", { class: "suppressed" }, "suppressed")
          : el("td", {}, column.value(item)),
      ),
    );
  };
  const body = el("tbody");
  const table = el("table", {}, el("caption", { class: "visually-hidden" }, caption), el("thead", {}, head), body);
  const details = el("details", { class: "table" }, el("summary", {}, `Data table: ${caption} (${rows.length} rows)`), el("div", { class: "table-scroll" }, table));
  // Rows are built when the table is first opened: a week of 5-minute data is thousands of rows.
  details.addEventListener("toggle", () => {
    if (details.open && body.childElementCount === 0) body.append(...rows.map(row));
  });
  return details;
}

/** A labelled <select>; onChange receives the chosen value. */
export function picker(label, options, selected, onChange) {
  const select = el(
    "select",
    {},
    options.map((option) => {
      const value = typeof option === "string" ? option : option.value;
      const text = typeof option === "string" ? option : option.label;
      return el("option", { value, selected: value === selected }, text);
    }),
  );
  select.addEventListener("change", () => onChange(select.value));
  return el("label", {}, label, select);
}

export function legend(items) {
  return el(
    "div",
    { class: "legend", "aria-hidden": "true" },
    items.map(([text, color]) =>
      el("span", {}, color === "hatch" ? el("span", { class: "swatch hatch" }) : el("span", { class: "swatch", style: `background:${color}` }), text),
    ),
  );
}
