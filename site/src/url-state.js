// The page's state in the URL fragment: "#<view>?region=VIC1&range=7d" or "#chart-<id>?…" (a chart's
// own link: opens its view and scrolls to it). Parameters are shared by every view, so a region chosen
// on one tab holds on the next; each change is a new history entry, so back and forward work.

/** The parameters the page keeps, in the order they are written. */
export const PARAMS = ["region", "range", "basis", "dual"];
const CHART_PREFIX = "chart-";
// View ids and parameter values are short; a longer fragment names nothing and is not decoded.
const MAX_FRAGMENT = 256;

let viewIds = [];
export const DEFAULT_VIEW = "overview";

/** The view ids the fragment may name (set once by the page shell). */
export function configure(ids) {
  viewIds = [...ids];
}

// The view a chart id belongs to: chart ids start with their view's id ("flex-kw" is in "flex").
const chartView = (chart) =>
  viewIds.filter((id) => chart === id || chart.startsWith(`${id}-`)).sort((a, b) => b.length - a.length)[0] ?? null;

/**
 * {view, chart, params, known}: known is false when the fragment names no view or chart (unknown,
 * too long, a bad escape such as "#%E0%A4%A"); the view is then the overview. An empty fragment is
 * the overview.
 */
export function parseFragment(fragment) {
  const fallback = { view: DEFAULT_VIEW, chart: null, params: {}, known: false };
  if (fragment === "") return { ...fallback, known: true };
  if (fragment.length > MAX_FRAGMENT) return fallback;
  const [rawTarget, rawQuery = ""] = fragment.split("?", 2);
  let target;
  let query;
  try {
    target = decodeURIComponent(rawTarget);
    query = new URLSearchParams(rawQuery);
  } catch {
    return fallback;
  }
  const params = {};
  for (const name of PARAMS) if (query.has(name)) params[name] = query.get(name);
  if (target === "") return { view: DEFAULT_VIEW, chart: null, params, known: true };
  if (viewIds.includes(target)) return { view: target, chart: null, params, known: true };
  if (target.startsWith(CHART_PREFIX)) {
    const chart = target.slice(CHART_PREFIX.length);
    const view = chartView(chart);
    if (view) return { view, chart, params, known: true };
  }
  return { ...fallback, params };
}

export const currentState = () => parseFragment(location.hash.slice(1));

function fragment(target, params) {
  const query = new URLSearchParams();
  for (const name of PARAMS) if (params[name] !== undefined && params[name] !== null) query.set(name, params[name]);
  const text = query.toString();
  return `#${encodeURIComponent(target)}${text ? `?${text}` : ""}`;
}

/** Link to a view keeping the current parameters. */
export const viewLink = (view, params = currentState().params) => fragment(view, params);

/** Link to one chart keeping the current parameters. */
export const chartLink = (chart, params = currentState().params) => fragment(`${CHART_PREFIX}${chart}`, params);

/** Sets one parameter (null removes it) as a new history entry; the page redraws on hashchange. */
export function setParam(name, value) {
  const state = currentState();
  const params = { ...state.params, [name]: value };
  const target = state.chart ? `${CHART_PREFIX}${state.chart}` : state.view;
  const next = fragment(target, params);
  if (next !== location.hash) location.hash = next;
}
