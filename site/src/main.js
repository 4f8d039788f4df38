// Page shell: tabs as links (URL hash), one panel per view, each view loaded and drawn on first visit.
// A view that fails shows its own error; the others are unaffected.
import { el } from "./dom.js";
import { loadView, realFiles } from "./load.js";
import { setupThemeToggle } from "./theme.js";
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
const byId = new Map(VIEWS.map((view) => [view.spec.id, view]));
const tabs = new Map();
const panels = new Map();
const rendered = new Set();

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
  location.hash = id;
}

// The longest view id is a few characters; a longer fragment names no view and is not decoded.
const MAX_FRAGMENT = 64;

// The view the fragment names, or null when it names none (unknown, too long, or a bad escape
// such as "#%E0%A4%A" that makes decodeURIComponent throw). An empty fragment is the overview.
function fragmentView(fragment) {
  if (fragment === "") return "overview";
  if (fragment.length > MAX_FRAGMENT) return null;
  try {
    const id = decodeURIComponent(fragment);
    return byId.has(id) ? id : null;
  } catch {
    return null;
  }
}

function showFragmentNotice(shown) {
  let notice = document.getElementById("fragment-notice");
  if (!notice && shown) {
    notice = el("p", { id: "fragment-notice", class: "view-demo-notice", role: "status" }, "The link names no view of this dashboard, so the overview is shown.");
    document.getElementById("panels").prepend(notice);
  }
  if (notice) notice.hidden = !shown;
}

function activate() {
  const named = fragmentView(location.hash.slice(1));
  showFragmentNotice(named === null);
  const id = named ?? "overview";
  for (const [other, tab] of tabs) {
    const selected = other === id;
    tab.setAttribute("aria-selected", String(selected));
    tab.setAttribute("tabindex", selected ? "0" : "-1");
    panels.get(other).hidden = !selected;
  }
  tabs.get(id).scrollIntoView({ block: "nearest", inline: "nearest" }); // phones scroll the tab row
  if (!rendered.has(id)) {
    rendered.add(id);
    renderView(byId.get(id), panels.get(id));
  }
}

async function renderView(view, panel) {
  const { spec } = view;
  panel.dataset.state = "loading";
  panel.replaceChildren(el("p", { class: "loading" }, `Loading ${spec.tab}…`));
  // The view file loads alongside status.json, not after it.
  const pending = spec.file ? loadView(spec.file) : null;
  pending?.catch(() => {}); // handled below, once the demo state is known
  const demoState = await demoStatePromise;
  try {
    if (!spec.file) {
      panel.replaceChildren();
      view.render(panel, { demoState });
    } else {
      const loaded = await pending;
      panel.replaceChildren(...viewHeader(spec, loaded, { demoState }));
      panel.dataset.source = loaded.source;
      view.render(panel, loaded, { demoState });
    }
    panel.dataset.state = "ready";
  } catch (error) {
    panel.replaceChildren(...viewError(spec, error));
    panel.dataset.state = "error";
  }
}

async function showBanner() {
  const demoState = await demoStatePromise;
  document.getElementById("demo-banner").hidden = !demoState;
  document.body.dataset.demo = String(demoState);
}

buildShell();
setupThemeToggle(document.getElementById("theme-toggle"));
window.addEventListener("hashchange", activate);
activate();
showBanner();
