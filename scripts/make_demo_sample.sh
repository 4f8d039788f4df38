#!/usr/bin/env bash
# Regenerate site/demo (views, views.json and the sample's cohort Parquet), the synthetic sample the
# dashboard shows until real data exists, from the project's own generator and aggregation (never a
# hand-made file). tests/test_demo_sample.py checks the committed sample is what this script makes.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
scripts/run python -m aggregation simulate --households 40 --days 7 --seed 2026 --out "$work/raw" >/dev/null
scripts/run python -m aggregation build --raw "$work/raw" --out "$work/cohort" --views "$work/views" --demo --full \
  --site-cohort demo/cohort
rm -rf site/demo && mkdir -p site/demo/cohort && cp "$work"/views/*.json site/demo/
# The sample's own cohort Parquet and datapackage.json: what views.json's downloads list (served as demo/cohort/).
cp -R "$work"/cohort/resolution=* "$work/cohort/datapackage.json" site/demo/cohort/
echo "site/demo: $(find site/demo -type f | wc -l) files, $(du -sh site/demo | cut -f1)"
