// The data page: every file to download (from views.json) with the lines that load it, what each view
// file holds, the licence, links to the repository and its guides, privacy.
import { el } from "../dom.js";
import { formatInteger } from "../format.js";
import { loadCatalogue } from "../load.js";
import { LINKS } from "../project.js";

export const spec = { id: "data", file: null, tab: "Data", title: "The data: files, licence, loading, privacy" };

const FILES = [
  ["status.json", "Headline figures: cohort size, records, regions, total saving, data quality."],
  ["flex.json", "Cohort flexibility up/down (kW, sums) and mean buy/sell prices, last 7 days, per region."],
  ["price_response.json", "Mean change in import against baseline per buy-price bin, 95 % cluster-bootstrap interval, counts."],
  ["curtailment.json", "Region × hour (AEST): share of time at the export/import cap and binding, export kWh, mean duals."],
  ["ledger.json", "Hourly actual and baseline cost, saving and cumulative saving (AUD), per region."],
  ["spread.json", "Mean buy and sell prices by hour (AEST), negative feed-in share, and negative feed-in hours per day."],
  ["assets.json", "Stored kWh and summed setpoints for batteries and EVs, EV connection states by hour, V2G shares."],
  ["shadow.json", "Shadow prices (LP duals) per constraint × region × hour: quantiles, mean, share of time binding."],
  ["quality.json", "Records, rejections, duplicates and energy-balance flags per day; rejection reasons (no household ids)."],
  ["standing.json", "Per region, quantiles across households of flexibility offered, saving per day and export-envelope binding (Home Assistant compares each household with them)."],
];

const SIZE_UNITS = ["bytes", "KB", "MB", "GB"];
function formatBytes(bytes) {
  if (!Number.isFinite(bytes)) return "size unknown";
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < SIZE_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? formatInteger(value) : value.toFixed(1)} ${SIZE_UNITS[unit]}`;
}

// Python lines that load one file from its address, per format (strings are JSON-quoted: safe in Python).
const LOADERS = {
  parquet: (url) => [
    ["pandas", `import pandas as pd\ndf = pd.read_parquet(${JSON.stringify(url)})`],
    ["DuckDB", `import duckdb\nduckdb.sql(${JSON.stringify(`SELECT * FROM read_parquet('${url}')`)}).show()`],
    ["polars", `import polars as pl\ndf = pl.read_parquet(${JSON.stringify(url)})`],
  ],
  csv: (url) => [
    ["pandas", `import pandas as pd\ndf = pd.read_csv(${JSON.stringify(url)})`],
    ["DuckDB", `import duckdb\nduckdb.sql(${JSON.stringify(`SELECT * FROM read_csv_auto('${url}')`)}).show()`],
    ["polars", `import polars as pl\ndf = pl.read_csv(${JSON.stringify(url)})`],
  ],
  json: (url) => [
    ["pandas", `import pandas as pd\nview = pd.read_json(${JSON.stringify(url)}, typ="series")`],
    ["DuckDB", `import duckdb\nduckdb.sql(${JSON.stringify(`SELECT * FROM read_json_auto('${url}')`)}).show()`],
    ["polars", `import polars as pl, urllib.request\nview = pl.read_json(urllib.request.urlopen(${JSON.stringify(url)}))`],
  ],
};

function downloadItem(file) {
  const url = new URL(String(file.path), location.href).href;
  const format = String(file.format ?? "").toLowerCase();
  const loaders = LOADERS[format]?.(url) ?? [];
  return el(
    "li",
    { "data-testid": "download" },
    el("a", { href: String(file.path), download: "" }, String(file.title ?? file.path)),
    ` (${format || "file"}, ${formatBytes(file.bytes)})`,
    loaders.length
      ? el(
          "details",
          { class: "loaders" },
          el("summary", {}, "Load it from Python"),
          loaders.flatMap(([tool, code]) => [el("p", {}, `${tool}:`), el("pre", { tabindex: "0" }, el("code", {}, code))]),
        )
      : null,
  );
}

function downloadsSection(catalogue) {
  const files = Array.isArray(catalogue?.body?.downloads) ? catalogue.body.downloads : [];
  if (files.length === 0) return [el("p", {}, "This build lists no downloadable files; the data repository holds them (see DATA.md below).")];
  return [el("ul", { class: "downloads" }, files.map(downloadItem))];
}

export async function render(container, { demoState }) {
  const folder = demoState ? "demo" : "data";
  const catalogue = await loadCatalogue();
  container.append(
    el("h2", { id: "data-title" }, spec.title),
    el(
      "p",
      { class: "explain" },
      "Everything on this dashboard comes from the files below, rebuilt by the project's aggregation whenever households publish new records. All timestamps in the files are UTC (ISO 8601, each naming the start of its interval); hour-of-day tables are in NEM market time (AEST, UTC+10). Power is in kW, energy in kWh, money in AUD; + means import or charging. Prices and shadow prices are $/kWh in the files and shown in c/kWh on this page.",
    ),
    el(
      "ul",
      { class: "links" },
      el("li", {}, el("a", { href: LINKS.repository }, "The repository"), ": code, issues and the aggregation that builds these files."),
      el("li", {}, el("a", { href: LINKS.data }, "DATA.md"), ": every Parquet column, its unit and how cells are suppressed."),
      el("li", {}, el("a", { href: LINKS.views }, "VIEWS.md"), ": the JSON view files this page draws."),
      el("li", {}, el("a", { href: LINKS.install }, "The install guide"), ": Home Assistant, HACS and the integration."),
      el("li", {}, el("a", { href: LINKS.join }, "Join the cohort"), ": how a household starts publishing."),
    ),
    el("h3", {}, "Downloads"),
    ...downloadsSection(catalogue),
    el("h3", {}, "View files"),
    el("ul", {}, FILES.map(([file, what]) => el("li", {}, el("a", { href: `${folder}/${file}`, download: "" }, file), ` — ${what}`))),
    el("h3", {}, "Licence"),
    el("p", {}, "The data is published under the Creative Commons Attribution 4.0 licence (CC-BY-4.0): use it for anything, with credit to “NEM Flex Telemetry contributors”. The code is MIT-licensed."),
    el("h3", {}, "Join the cohort"),
    el(
      "p",
      {},
      "Run Home Assistant with the HAEO optimiser, install NEM Flex Telemetry from HACS, add the integration and sign in to GitHub with the code it shows (no token to copy). You see exactly what will be published before you consent, and can pause or leave at any time. ",
      el("a", { href: LINKS.join }, "Step by step in the install guide"),
      ".",
    ),
    el("h3", {}, "Privacy"),
    el("ul", {}, [
      el("li", {}, "A household is known only by a random id and the first three digits of its postcode; nothing else identifies it."),
      el("li", {}, "Every published cell must cover a minimum number of households with none dominating its energy (the small-cell rule in each file's meta.suppression); a cell that fails is suppressed, published as null and shown hatched on this page, never as zero."),
      el("li", {}, "Household counts of suppressed cells are not published either."),
      el("li", {}, "This page loads nothing from other sites: no fonts, scripts or trackers from third parties."),
    ]),
  );
  return {};
}
