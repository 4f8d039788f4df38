// A chart figure that redraws at its container's width (ResizeObserver), with a caption, a finding,
// a data table as its text alternative, downloads (CSV, SVG, PNG) and a link to itself.
import { joinCrosshair } from "./crosshair.js";
import { el } from "./dom.js";
import { pngBlob, saveFile, svgDocument } from "./download.js";
import { csvText, dataTable } from "./table.js";
import { chartLink } from "./url-state.js";

const charts = new Set();

/** Redraws every live chart (the theme changed). */
export function redrawAll() {
  for (const redraw of charts) redraw();
}

export const NO_VALUES = "No published values for this period.";

function toolbar(id, caption, data, body) {
  const button = (label, action) => {
    const node = el("button", { type: "button", class: "tool" }, label);
    node.addEventListener("click", () => {
      Promise.resolve()
        .then(action)
        .catch((error) => node.replaceChildren(`${label} failed: ${error.message}`));
    });
    return node;
  };
  return el(
    "div",
    { class: "chart-tools" },
    data ? button("Download CSV", () => saveFile(`${id}.csv`, new Blob([csvText(data.columns, data.rows)], { type: "text/csv" }))) : null,
    button("Save SVG", () => saveFile(`${id}.svg`, new Blob([svgDocument(body, caption).text], { type: "image/svg+xml" }))),
    button("Save PNG", async () => saveFile(`${id}.png`, await pngBlob(svgDocument(body, caption)))),
    el("a", { class: "tool", href: chartLink(id), "aria-label": `Link to this chart: ${caption}` }, "Link"),
  );
}

/**
 * draw(width) returns a Plot SVG/figure. id names the chart for tests and links; summary states the
 * finding (shown under the caption and used as the drawing's text label); data {caption, columns, rows}
 * is the table and CSV of what the chart draws; empty, when set, says why nothing is drawn instead.
 * crosshair names a group of stacked charts that share one time axis.
 */
export function chartFigure({ id, caption, summary, draw, data, legendNode, crosshair, empty }) {
  const body = el("div", { class: "chart-body", role: "img", "aria-label": `${caption}. ${summary}` });
  const table = data ? dataTable(data.caption ?? caption, data.columns, data.rows) : null;
  const figure = el(
    "figure",
    { class: "chart", id: `chart-${id}`, "data-chart": id, tabindex: "-1" },
    el("figcaption", {}, caption),
    el("p", { class: "finding" }, empty ?? summary),
    empty ? null : legendNode,
    body,
    empty ? null : toolbar(id, caption, data, body),
    table,
  );
  if (empty) {
    body.removeAttribute("role");
    body.removeAttribute("aria-label");
    body.dataset.drawn = "true";
    body.dataset.empty = "true";
    body.append(el("p", { class: "no-values", "data-testid": "no-values" }, empty));
    return figure;
  }
  let lastWidth = 0;
  const redraw = () => {
    if (!figure.isConnected) {
      charts.delete(redraw);
      return;
    }
    const width = Math.max(280, Math.floor(body.clientWidth || 640));
    lastWidth = width;
    try {
      const node = draw(width);
      node.setAttribute("aria-hidden", "true");
      body.replaceChildren(node);
      if (crosshair) joinCrosshair(crosshair, body, node);
      body.dataset.drawn = "true";
      // Lets scripts/bench_site.py read the time to the first chart from the Performance API.
      if (performance.getEntriesByName("nft-first-chart").length === 0) performance.mark("nft-first-chart");
    } catch (error) {
      // Data the chart cannot draw: say so in place of this chart only.
      body.replaceChildren(el("p", { class: "view-error", "data-testid": "chart-error" }, `This chart cannot be drawn: ${error.message}`));
    }
  };
  charts.add(redraw);
  const observer = new ResizeObserver(() => {
    const width = Math.floor(body.clientWidth);
    // Redraw only on a real width change; drawing changes the height, which would loop otherwise.
    if (width > 0 && Math.abs(width - lastWidth) >= 4) requestAnimationFrame(redraw);
  });
  observer.observe(body);
  return figure;
}
