// The data page: what each file holds, the licence, how to load the Parquet, privacy.
import { el } from "../dom.js";

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

// Paths and columns as docs/DATA.md publishes them (Hive-partitioned by resolution, region, month/year).
const PANDAS = `import pandas as pd
hourly = pd.read_parquet("data/cohort/resolution=1h", filters=[("region", "=", "NSW1")])
print(hourly[["start", "households", "flex_up_kw", "price_buy", "saving_aud"]].head())`;
const DUCKDB = `import duckdb
con = duckdb.connect()
con.sql("SELECT region, avg(price_buy) FROM read_parquet('data/cohort/resolution=5min/*/*/*.parquet', hive_partitioning = true) GROUP BY region").show()`;

export function render(container, { demoState }) {
  const folder = demoState ? "demo" : "data";
  container.append(
    el("h2", { id: "data-title" }, spec.title),
    el("p", { class: "explain" }, "Everything on this dashboard comes from the files below, rebuilt by the project's aggregation whenever households publish new records. All timestamps are UTC (ISO 8601, each naming the start of its interval); hour-of-day tables are in NEM market time (AEST, UTC+10). Power is in kW, energy in kWh, prices and shadow prices in $/kWh, money in AUD; + means import or charging."),
    el("h3", {}, "Files"),
    el("ul", {}, FILES.map(([file, what]) => el("li", {}, el("a", { href: `${folder}/${file}`, download: "" }, file), ` — ${what}`))),
    el("p", {}, "Analysts should use the cohort Parquet files in the data repository: data/cohort/resolution=5min, resolution=1h and resolution=1d (one row per region × interval, Hive-partitioned by region and month or year), plus daily cells per postcode prefix. Suppressed cells are kept there as rows with suppressed = true and null values. data/cohort/datapackage.json lists every file."),
    el("h3", {}, "Licence"),
    el("p", {}, "The data is published under the Creative Commons Attribution 4.0 licence (CC-BY-4.0): use it for anything, with credit to “NEM Flex Telemetry contributors”. The code is MIT-licensed."),
    el("h3", {}, "Load it in three lines"),
    el("p", {}, "pandas (with pyarrow):"),
    el("pre", {}, el("code", {}, PANDAS)),
    el("p", {}, "DuckDB:"),
    el("pre", {}, el("code", {}, DUCKDB)),
    el("h3", {}, "Join the cohort"),
    el("p", {}, "Run Home Assistant with the HAEO optimiser, install NEM Flex Telemetry from HACS, add the integration and sign in to GitHub with the code it shows (no token to copy). You see exactly what will be published before you consent, and can pause or leave at any time."),
    el("h3", {}, "Privacy"),
    el("ul", {}, [
      el("li", {}, "A household is known only by a random id and the first three digits of its postcode; nothing else identifies it."),
      el("li", {}, "Every published cell must cover a minimum number of households with none dominating its energy (the small-cell rule in each file's meta.suppression); a cell that fails is suppressed, published as null and shown hatched on this page, never as zero."),
      el("li", {}, "Household counts of suppressed cells are not published either."),
      el("li", {}, "This page loads nothing from other sites: no fonts, scripts or trackers from third parties."),
    ]),
  );
}
