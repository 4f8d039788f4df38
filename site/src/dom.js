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

export function legend(items) {
  return el(
    "div",
    { class: "legend", "aria-hidden": "true" },
    items.map(([text, color]) =>
      el("span", {}, color === "hatch" ? el("span", { class: "swatch hatch" }) : el("span", { class: "swatch", style: `background:${color}` }), text),
    ),
  );
}
