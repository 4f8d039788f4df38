#!/usr/bin/env bash
# Builds the deployable dashboard into site/dist: page, modules, styles, the vendored Plot and d3
# bundles (served from the site itself: no CDN at run time), the view files with their views.json
# (data/) and the synthetic sample (demo/), plus manifest.json listing which view files exist, so the
# page never requests a missing file. The data goes along so that it is one click away: the cohort
# Parquet and datapackage.json (data/cohort/, demo/cohort/ for the sample) and the data dictionary
# (DATA.md), at the paths views.json's downloads name. Needs only a shell: it runs on the host and
# inside scripts/run.
#
# usage: scripts/build_site.sh [--data DIR] [--demo DIR] [--cohort DIR] [--out DIR]
#   defaults: site/data, site/demo, data/cohort, site/dist. Run "npm ci" in site/ first (make site does).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
site=$repo/site
data=$site/data demo=$site/demo cohort=$repo/data/cohort out=$site/dist
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data=$2 ;;
    --demo) demo=$2 ;;
    --cohort) cohort=$2 ;;
    --out) out=$2 ;;
    *) echo "unknown option $1 (usage: $0 [--data DIR] [--demo DIR] [--cohort DIR] [--out DIR])" >&2; exit 2 ;;
  esac
  shift 2
done

vendor_d3=$site/node_modules/d3/dist/d3.min.js
vendor_plot=$site/node_modules/@observablehq/plot/dist/plot.umd.min.js
for file in "$vendor_d3" "$vendor_plot"; do
  [ -f "$file" ] || { echo "$file is missing: run 'npm ci' in site/ first" >&2; exit 1; }
done

rm -rf "$out"
mkdir -p "$out/vendor" "$out/data" "$out/demo"
cp "$site/index.html" "$site/styles.css" "$out/"
cp "$repo/docs/DATA.md" "$out/DATA.md"  # the data dictionary, beside the data it describes
cp -R "$site/src" "$out/src"
cp "$vendor_d3" "$out/vendor/d3.min.js"
cp "$vendor_plot" "$out/vendor/plot.umd.min.js"
: > "$out/.nojekyll"  # GitHub Pages: serve the files as they are

# Copies the *.json files of a folder (if it exists) and prints them as a JSON array of names.
copy_views() {
  local from=$1 to=$2 first=1 path name
  printf '['
  if [ -d "$from" ]; then
    for path in "$from"/*.json; do
      [ -f "$path" ] || continue
      name=$(basename "$path")
      cp "$path" "$to/$name"
      [ $first -eq 1 ] || printf ', '
      printf '"%s"' "$name"
      first=0
    done
  fi
  printf ']'
}
# Copies the published part of a cohort folder (Parquet partitions and datapackage.json; never the build
# state or the quarantine report) to a folder of the site.
copy_cohort() {
  local from=$1 to=$2 path
  [ -f "$from/datapackage.json" ] || return 0
  mkdir -p "$to"
  cp "$from/datapackage.json" "$to/"
  for path in "$from"/resolution=*; do
    [ -d "$path" ] && cp -R "$path" "$to/"
  done
  return 0
}
data_list=$(copy_views "$data" "$out/data")
demo_list=$(copy_views "$demo" "$out/demo")
copy_cohort "$cohort" "$out/data/cohort"
copy_cohort "$demo/cohort" "$out/demo/cohort"
printf '{"data": %s, "demo": %s}\n' "$data_list" "$demo_list" > "$out/manifest.json"
echo "site built in $out: data $data_list, demo $demo_list"
