#!/usr/bin/env bash
# make demo: simulate a cohort, aggregate it, build the dashboard and serve it on 127.0.0.1.
# A second run reuses the simulated cohort and the aggregation's state (only what changed is redone).
#
# usage: scripts/demo.sh [--households N] [--days N] [--seed N] [--port N] [--no-serve]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
households=60 days=7 seed=1 port=8000 serve=1
while [ $# -gt 0 ]; do
  case "$1" in
    --households) households=$2; shift 2 ;;
    --days) days=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --no-serve) serve=0; shift ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (usage: scripts/demo.sh [--households N] [--days N] [--seed N] [--port N] [--no-serve])" >&2; exit 2 ;;
  esac
done
work=build/demo/h$households-d$days-s$seed
step() { printf '\033[1m[demo %s]\033[0m %s\n' "$1" "$2"; }
begin=$(date +%s)

if [ -f "$work/raw.done" ]; then
  step 1/4 "reusing the simulated cohort in $work/raw"
else
  step 1/4 "simulating $households households over $days days (seed $seed)"
  rm -rf "$work/raw"
  scripts/run python -m aggregation simulate --households "$households" --days "$days" --seed "$seed" --out "$work/raw"
  touch "$work/raw.done"
fi

step 2/4 "aggregating: validation, cohort Parquet, suppression, dashboard views"
scripts/run python -m aggregation build --raw "$work/raw" --out "$work/cohort" --views "$work/views" --demo

step 3/4 "building the dashboard"
scripts/build_site.sh --data "$work/views" --demo site/demo --out "$work/dist" >/dev/null
# Only the published cohort files: _state/ and state.json hold household-level rows and stay behind.
mkdir -p "$work/dist/cohort"
cp -R "$work"/cohort/resolution=* "$work/cohort/datapackage.json" "$work/cohort/quarantine.json" "$work/dist/cohort/"
echo "dashboard built in $work/dist ($(( $(date +%s) - begin )) s so far)"

if [ "$serve" = 1 ]; then
  step 4/4 "serving on http://127.0.0.1:$port/ (Ctrl-C to stop)"
  exec scripts/run python scripts/serve_site.py --dir "$work/dist" --port "$port"
fi
