// Files a visitor can save from a chart: its rows as CSV, the drawing as SVG or PNG. Everything is made
// in the page (no third-party code, no request): CSS colours are resolved into the SVG, and the hatch
// pattern of suppressed cells is copied in, so the saved file looks like the chart on screen.

const SVG_NS = "http://www.w3.org/2000/svg";
const PAINT = ["fill", "stroke", "color", "stop-color"];
const TEXT = ["font-family", "font-size", "font-weight"];

/** Offers a Blob to the visitor as a file download. */
export function saveFile(name, blob) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// Copies computed paint and font styles onto the clone, so the SVG no longer needs the page's CSS.
function inlineStyles(source, clone) {
  const sources = [source, ...source.querySelectorAll("*")];
  const clones = [clone, ...clone.querySelectorAll("*")];
  sources.forEach((node, i) => {
    const style = getComputedStyle(node);
    for (const name of [...PAINT, ...TEXT]) {
      const value = style.getPropertyValue(name);
      const own = node.getAttribute(name);
      if (own && own.startsWith("url(")) continue; // pattern references stay; the pattern is copied in
      if (value && (own === null || own.includes("var(") || own === "currentColor")) clones[i].setAttribute(name, value);
    }
  });
}

/** A chart's drawing as one standalone SVG document (legend swatches included), with a background. */
export function svgDocument(body, title) {
  const svgs = [...body.querySelectorAll("svg")];
  if (svgs.length === 0) throw new Error("the chart has no drawing to save");
  const box = body.getBoundingClientRect();
  const width = Math.ceil(box.width);
  const height = Math.ceil(box.height);
  const root = document.createElementNS(SVG_NS, "svg");
  root.setAttribute("xmlns", SVG_NS);
  root.setAttribute("width", width);
  root.setAttribute("height", height);
  root.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const titleNode = document.createElementNS(SVG_NS, "title");
  titleNode.textContent = title;
  root.append(titleNode);
  const defs = document.querySelector("svg.defs defs");
  if (defs) {
    const copy = defs.cloneNode(true);
    inlineStyles(defs, copy);
    root.append(copy);
  }
  const background = document.createElementNS(SVG_NS, "rect");
  background.setAttribute("width", "100%");
  background.setAttribute("height", "100%");
  background.setAttribute("fill", getComputedStyle(document.body).backgroundColor);
  root.append(background);
  for (const svg of svgs) {
    const at = svg.getBoundingClientRect();
    const clone = svg.cloneNode(true);
    inlineStyles(svg, clone);
    clone.setAttribute("x", String(at.left - box.left));
    clone.setAttribute("y", String(at.top - box.top));
    clone.setAttribute("width", String(at.width));
    clone.setAttribute("height", String(at.height));
    clone.querySelectorAll("style").forEach((style) => style.remove()); // Plot's class rules: inlined above
    root.append(clone);
  }
  return { text: new XMLSerializer().serializeToString(root), width, height };
}

/** The SVG document drawn on a canvas at twice its size, as a PNG Blob. */
export function pngBlob({ text, width, height }) {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => {
      const scale = 2;
      const canvas = document.createElement("canvas");
      canvas.width = width * scale;
      canvas.height = height * scale;
      const context = canvas.getContext("2d");
      context.scale(scale, scale);
      context.drawImage(image, 0, 0, width, height);
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("the browser could not make a PNG"))), "image/png");
    };
    image.onerror = () => reject(new Error("the drawing could not be rendered to PNG"));
    // A data: address (allowed by the page's img-src): no request leaves the page.
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
  });
}
