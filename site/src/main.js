// Page shell: tabs as links (URL fragment, url-state.js), one panel per view, each view drawn on first
// visit and redrawn when the link's parameters change. A view that fails shows its own error; the
// others are unaffected.
import { controlsRow } from "./controls.js";
import { el } from "./dom.js";
import { loadCatalogue, loadView, realFiles } from "./load.js";
import { periodChoice } from "./ranges.js";
import { REPOSITORY } from "./project.js";
import { showStaleNotice } from "./stale.js";
import { setupThemeToggle } from "./theme.js";
import { configure, currentState, viewLink } from "./url-state.js";
import { viewError, viewHeader } from "./view-frame.js";
import * as assets from "./views/assets.js";
import * as curtailment from "./views/curtailment.js";
import * as dataPage from "./views/data-page.js";
import * as flex from "./views/flex.js";
import * as ledger from "./views/ledger.js";
import * as overview from "./views/overview.js";
import * as priceResponse from "./views/price-response.js";
import * as shadow from "./views/shadow.js";
import * as spread from "./views/spread.js";

const VIEWS = [overview, flex, priceResponse, curtailment, ledger, spread, assets, shadow, dataPage];
const SITE_TITLE = "NEM Flex Telemetry";
const byId = new Map(VIEWS.map((view) => [view.spec.id, view]));
const tabs = new Map();
const panels = new Map();
const drawn = new Map(); // view id -> {key: the parameters it was drawn with, region: the region it shows}
configure(VIEWS.map((view) => view.spec.id));

/**
 * Demo state: the real status.json says it was built from the synthetic generator, or there are no
 * real view files at all. A broken real status.json alone does not put the whole page in demo state.
 */
const demoStatePromise = Promise.all([loadView("status").catch(() => null), realFiles()]).then(([status, real]) => {
  if (status && status.source === "data") return status.body.demo === true;
  return real === null ? status?.source === "demo" : real.length === 0;
});

function buildShell() {
  const tablist = document.getElementById("tablist");
  const main = document.getElementById("panels");
  for (const { spec } of VIEWS) {
    const tab = el("a", { href: `#${spec.id}`, id: `tab-${spec.id}`, role: "tab", "aria-controls": `panel-${spec.id}`, "aria-selected": "false", tabindex: "-1" }, spec.tab);
    const panel = el("section", { id: `panel-${spec.id}`, class: "panel", role: "tabpanel", "aria-labelledby": `tab-${spec.id}`, tabindex: "0", hidden: true });
    tabs.set(spec.id, tab);
    panels.set(spec.id, panel);
    tablist.append(tab);
    main.append(panel);
  }
  tablist.addEventListener("keydown", onTabKey);
  // The skip link moves focus to the content without changing the fragment (which names the view).
  document.querySelector(".skip-link").addEventListener("click", (event) => {
    event.preventDefault();
    main.focus();
  });
}

// Arrow keys, Home and End move between tabs (WAI-ARIA tabs pattern); moving also follows the link.
function onTabKey(event) {
  const ids = VIEWS.map((view) => view.spec.id);
  const index = ids.indexOf(event.target.id.replace(/^tab-/, ""));
  if (index < 0) return;
  const next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: ids.length - 1 }[event.key];
  if (next === undefined) return;
  event.preventDefault();
  const id = ids[(next + ids.length) % ids.length];
  tabs.get(id).focus();
  location.hash = viewLink(id);
}

function showFragmentNotice(shown) {
  let notice = document.getElementById("fragment-notice");
  if (!notice && shown) {
    notice = el("p", { id: "fragment-notice", class: "view-demo-notice", role: "status" }, "The link names no view of this dashboard, so the overview is shown.");
    document.getElementById("panels").prepend(notice);
  }
  if (notice) notice.hidden = !shown;
}

function setTitle(id) {
  const region = drawn.get(id)?.region;
  document.title = `${byId.get(id).spec.title}${region ? `, ${region}` : ""} · ${SITE_TITLE}`;
}

let lastChart = null;

function activate() {
  const state = currentState();
  showFragmentNotice(!state.known);
  const id = state.view;
  for (const [other, tab] of tabs) {
    const selected = other === id;
    tab.setAttribute("aria-selected", String(selected));
    tab.setAttribute("tabindex", selected ? "0" : "-1");
    tab.setAttribute("href", viewLink(other, state.params)); // tabs carry the shared parameters
    panels.get(other).hidden = !selected;
  }
  tabs.get(id).scrollIntoView({ block: "nearest", inline: "nearest" }); // phones scroll the tab row
  const key = JSON.stringify(state.params);
  const chart = state.chart !== lastChart ? state.chart : null;
  lastChart = state.chart;
  if (drawn.get(id)?.key !== key) {
    drawn.set(id, { key, region: null });
    renderView(byId.get(id), panels.get(id), state.params, key).then(() => chart && scrollToChart(chart));
  } else {
    setTitle(id);
    if (chart) scrollToChart(chart);
  }
}

// Charts draw in the frame after they are laid out, and each one drawn moves those below it: scroll
// once every chart of the view has drawn (or after two seconds), so the link lands on its chart.
function scrollToChart(chart, deadline = performance.now() + 2000) {
  const figure = document.getElementById(`chart-${chart}`);
  if (!figure) return;
  const panel = figure.closest(".panel");
  if (panel.querySelector(".chart-body:not([data-drawn])") && performance.now() < deadline) {
    requestAnimationFrame(() => scrollToChart(chart, deadline));
    return;
  }
  figure.scrollIntoView({ block: "start" });
  figure.focus({ preventScroll: true });
}

async function renderView(view, panel, params, key) {
  const { spec } = view;
  const first = panel.dataset.state === undefined;
  const focusKey = panel.contains(document.activeElement) ? document.activeElement.dataset.focusKey : undefined;
  if (first) {
    panel.dataset.state = "loading";
    panel.replaceChildren(el("p", { class: "loading" }, `Loading ${spec.tab}…`));
  } else {
    panel.dataset.state = "updating";
    panel.style.minHeight = `${panel.offsetHeight}px`; // a redraw must not make the page jump
    setTimeout(() => (panel.style.minHeight = ""), 1000);
  }
  // The period chosen picks the view's file (views.json); it loads alongside status.json, not after it.
  const period = spec.file ? periodChoice(await loadCatalogue(), spec.file, params) : null;
  const pending = period ? loadView(period.name) : null;
  pending?.catch(() => {}); // handled below, once the demo state is known
  const demoState = await demoStatePromise;
  const content = el("div", { class: "panel-content" });
  let shown = {};
  try {
    if (!spec.file) {
      shown = (await view.render(content, { demoState, params })) ?? {};
    } else {
      const loaded = await pending;
      content.append(...viewHeader(spec, loaded, { demoState }));
      if (period.control) content.append(...controlsRow(period.control));
      panel.dataset.source = loaded.source;
      shown = view.render(content, loaded, { demoState, params }) ?? {};
    }
    if (drawn.get(spec.id)?.key !== key) return; // a newer fragment took over while this loaded
    panel.replaceChildren(...content.childNodes);
    panel.dataset.state = "ready";
  } catch (error) {
    panel.replaceChildren(...viewError(spec, error));
    panel.dataset.state = "error";
  }
  drawn.set(spec.id, { key, region: shown.region ?? null });
  if (currentState().view === spec.id) setTitle(spec.id);
  if (focusKey) panel.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus();
}

async function showBanner() {
  const demoState = await demoStatePromise;
  document.getElementById("demo-banner").hidden = !demoState;
  document.body.dataset.demo = String(demoState);
  if (!demoState) showStaleNotice(await loadView("status").catch(() => null));
}

buildShell();
document.getElementById("repo-link").href = REPOSITORY;
setupThemeToggle(document.getElementById("theme-toggle"));
window.addEventListener("hashchange", activate);
activate();
showBanner();
