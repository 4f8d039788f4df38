#!/usr/bin/env bash
# Regenerate site/demo/*.json, the synthetic sample the dashboard shows until real data exists,
# from the project's own generator and aggregation (never a hand-made file).
# tests/site/test_demo_sample.py checks the committed sample is what this script makes.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
scripts/run python -m aggregation simulate --households 40 --days 7 --seed 2026 --out "$work/raw" >/dev/null
scripts/run python -m aggregation build --raw "$work/raw" --out "$work/cohort" --views "$work/views" --demo --full
rm -rf site/demo && mkdir -p site/demo && cp "$work"/views/*.json site/demo/
echo "site/demo: $(ls site/demo | wc -l) files, $(du -sh site/demo | cut -f1)"
