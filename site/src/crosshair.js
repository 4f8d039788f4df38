// A vertical crosshair shared by the charts stacked over one time axis: pointing at a moment in one
// chart marks the same moment in the others, so flexibility and price can be read together.

const groups = new Map(); // group name -> Set of members {body, plot}

const plotSvg = (node) => (node.tagName.toLowerCase() === "svg" ? node : node.querySelector("svg[class^='plot']:last-of-type") ?? node.querySelector("svg:last-of-type"));

function place(member, value) {
  const { body, plot } = member;
  let line = body.querySelector(":scope > .crosshair");
  if (!line) {
    line = document.createElement("div");
    line.className = "crosshair";
    line.setAttribute("aria-hidden", "true");
    body.append(line);
  }
  const scale = plot.scale("x");
  const svg = plotSvg(plot);
  if (value === null || !scale || !svg) {
    line.hidden = true;
    return;
  }
  const x = scale.apply(value);
  const bodyBox = body.getBoundingClientRect();
  const svgBox = svg.getBoundingClientRect();
  line.hidden = !Number.isFinite(x);
  line.style.left = `${svgBox.left - bodyBox.left + x}px`;
  line.style.top = `${svgBox.top - bodyBox.top}px`;
  line.style.height = `${svgBox.height}px`;
  line.dataset.value = value instanceof Date ? value.toISOString() : String(value);
}

function moveAll(name, value) {
  for (const member of groups.get(name) ?? []) {
    if (member.body.isConnected) place(member, value);
    else groups.get(name).delete(member);
  }
}

/** Adds a drawn chart (its body and Plot node) to a crosshair group; call after every redraw. */
export function joinCrosshair(name, body, plot) {
  if (!groups.has(name)) groups.set(name, new Set());
  const members = groups.get(name);
  for (const member of members) if (member.body === body) members.delete(member);
  const member = { body, plot };
  members.add(member);
  if (body.dataset.crosshair) return; // listeners are attached once per body
  body.dataset.crosshair = name;
  body.addEventListener("pointermove", (event) => {
    const current = [...members].find((item) => item.body === body);
    const scale = current?.plot.scale("x");
    const svg = current && plotSvg(current.plot);
    if (!scale?.invert || !svg) return;
    const x = event.clientX - svg.getBoundingClientRect().left;
    const [low, high] = scale.range;
    moveAll(name, x >= Math.min(low, high) && x <= Math.max(low, high) ? scale.invert(x) : null);
  });
  body.addEventListener("pointerleave", () => moveAll(name, null));
}
