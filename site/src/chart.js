// A chart figure that redraws at its container's width (ResizeObserver), with a caption and a
// data table as its text alternative.
import { el } from "./dom.js";

/** CSS custom property value, so charts follow the light or dark theme. */
export function themeColor(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(`--${name}`).trim() || "currentColor";
}

const charts = new Set();

/** Redraws every live chart (the theme changed). */
export function redrawAll() {
  for (const redraw of charts) redraw();
}

/**
 * draw(width) returns a Plot SVG/figure. id names the chart for tests and links; summary is a
 * one-sentence alt text; table is an optional <details> from dataTable().
 */
export function chartFigure({ id, caption, summary, draw, table, legendNode }) {
  const body = el("div", { class: "chart-body", role: "img", "aria-label": summary });
  const figure = el("figure", { class: "chart", id: `chart-${id}`, "data-chart": id }, el("figcaption", {}, caption), legendNode, body, table);
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
