"""``python -m aggregation bench``: time a full rebuild, an incremental hour and the naive way.

Prints figures; it is not a test. The naive way is the prior system's: pandas ``read_json``
per file plus a JSON-Schema validator per record, timed on a subset and compared per record.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HELP = "measure the aggregation against the naive way and print figures"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--households", type=int, default=1000, help="households to simulate (default 1000)")
    parser.add_argument("--days", type=int, default=7, help="days to simulate (default 7)")
    parser.add_argument("--naive-households", type=int, default=50, help="households in the naive subset")
    parser.add_argument("--naive-days", type=int, default=2, help="days in the naive subset")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=None, help="keep the data here (default: a temp folder)")
    parser.add_argument("--reuse", action="store_true", help="reuse <workdir>/raw from an earlier run of the same size")
    parser.add_argument(
        "--ingest-households", type=int, default=200, help="household repositories for the ingest figure (0: skip)"
    )
    parser.add_argument("--ingest-concurrency", type=int, default=16)
    parser.add_argument("--only-ingest", action="store_true", help="print only the ingest figure")


def _descendants(root: int) -> set[int]:
    """A process and all its descendants, from /proc/<pid>/task/<tid>/children (cheap: no scan of /proc)."""
    tree, todo = {root}, [root]
    while todo:
        pid = todo.pop()
        for task in Path(f"/proc/{pid}/task").glob("*/children"):
            try:
                children = {int(child) for child in task.read_text().split()}
            except OSError:
                continue
            todo += children - tree
            tree |= children
    return tree


def _tree_memory_mb(root: int) -> float:
    """Memory of a process and all its descendants (the build's workers), as the sum of their proportional
    set sizes: pages the workers share with the process that forked them are counted once, not per worker."""
    total_kb = 0
    for pid in _descendants(root):
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        total_kb += sum(int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:"))
    return total_kb / 1024


def _timed(command: list[str]) -> tuple[float, str, float]:
    """Run a command: wall seconds, its output and the peak memory of its process tree."""
    began = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, _tree_memory_mb(process.pid))
        time.sleep(0.25)  # sampling costs the build little at this rate
    output = process.stdout.read() if process.stdout else ""
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)
    return time.perf_counter() - began, output.strip(), peak


def _build_command(raw: Path, out: Path, full: bool) -> list[str]:
    """The build exactly as users and the Action run it, reporting what it did as JSON."""
    views, cohort = out / "views", out / "cohort"
    command = [sys.executable, "-m", "aggregation", "build", "--raw", str(raw), "--out", str(cohort)]
    return [*command, "--views", str(views), "--json", *(["--full"] if full else [])]


def _naive_code(raw: Path, households: int, days: int) -> str:
    return f"""
import json, time
from pathlib import Path
import pandas as pd, jsonschema
from custom_components.nem_flex_telemetry import record
schema = json.loads(record.SCHEMA_FILE.read_text())
folders = sorted(p for p in Path({str(raw)!r}).iterdir())[:{households}]
files = [f for folder in folders for f in sorted(folder.glob('*/*/*.jsonl'))[:{days}]]
began = time.perf_counter(); n = 0; size = 0
for f in files:
    size += f.stat().st_size
    frame = pd.read_json(f, lines=True, dtype=False)
    for row in frame.to_dict('records'):
        jsonschema.Draft202012Validator(schema).is_valid(json.loads(json.dumps(row, default=str)))
        n += 1
print(n, size, time.perf_counter() - began)
"""


def _line(label: str, seconds: float, records: int, size: int, peak: float) -> str:
    return (
        f"{label:<28} {seconds:8.2f} s  {records / seconds:>12,.0f} records/s  {size / 1e6 / seconds:8.1f} MB/s  "
        f"peak {peak:,.0f} MB (all processes, PSS)"
    )


def _screening_figure(cohort_dir: Path, day: str, days: int) -> None:
    """The copy screening of one full day against the day step it sits beside (cells and partials of the
    same day's intervals), in this process; and a year of days at that rate."""
    import pandas as pd  # type: ignore[import-untyped]  # no stubs for pandas 2.3 in the env

    from aggregation import cohort, partials, store, sybil

    frame = store.read_records(cohort_dir, day)
    began = time.perf_counter()
    groups = sybil.day_groups(frame)
    screening = time.perf_counter() - began
    began = time.perf_counter()
    data = partials.with_time_keys(frame.copy())
    for column in ("household", "region", "postcode_prefix"):
        data[column] = pd.Categorical(data[column], categories=sorted(data[column].unique().tolist()))
    cells = cohort.day_cells(data)
    partials.day_partials(data, cells["1h"])
    step = time.perf_counter() - began
    households = frame["household"].nunique()
    print(
        f"copy screening of one day: {screening:.2f} s for {households:,} households "
        f"({len(groups)} near-identical groups); the day's cells and partials: {step:.2f} s "
        f"(screening = {screening / step:.0%} of the day step); a year of days: {365 * screening:.0f} s "
        f"(the {days}-day full rebuild screens each day once, in the day's worker)"
    )


def _views_figure(cohort_dir: Path, views: Path) -> None:
    """Every view in every range built again from the cohort (in this process), as the build's last step does."""
    from aggregation import state
    from aggregation.views import common
    from aggregation.views.registry import REGISTRY

    known = state.load(cohort_dir / "state.json")
    began = time.perf_counter()
    inputs = common.Inputs(cohort_dir, known, "1970-01-01T00:00:00Z", False, known.days)
    files = 0
    for view in REGISTRY:
        for name, period in view.outputs():
            common.write_json(views / name, view.build(inputs, period))
            files += 1
    print(f"views: {time.perf_counter() - began:.2f} s for {files} files over {len(known.days)} days")


def run(args: argparse.Namespace) -> int:
    from aggregation.simulate import simulate

    if args.ingest_households > 0:
        from aggregation.bench_ingest import bench_ingest

        bench_ingest(args.ingest_households, args.ingest_concurrency, args.workdir and args.workdir / "ingest")
    if args.only_ingest:
        return 0

    base = args.workdir or Path(tempfile.mkdtemp(prefix="nft-bench-"))
    raw, out = base / "raw", base / "out"
    start = date(2026, 11, 2)
    shutil.rmtree(out, ignore_errors=True)
    if not (args.reuse and raw.is_dir()):
        print(f"simulating {args.households} households x {args.days} days into {raw} ...", flush=True)
        shutil.rmtree(raw, ignore_errors=True)
        began = time.perf_counter()
        simulate(args.households, args.days, args.seed, raw, start)
        print(f"  simulated in {time.perf_counter() - began:.1f} s", flush=True)
    # The last day is held back an hour short, so that one new hour can arrive for the incremental run.
    last_day = start + timedelta(days=args.days - 1)
    last_files = sorted(raw.glob(f"*/{last_day:%Y/%m/%d}.jsonl"))
    held: dict[Path, bytes] = {}
    for path in last_files:
        data = path.read_bytes()
        held[path] = data
        lines = data.splitlines(keepends=True)
        path.write_bytes(b"".join(lines[:-12]))
    total = sum(p.stat().st_size for p in raw.glob("*/*/*/*.jsonl"))
    print(f"raw JSONL: {total / 1e6:,.1f} MB in {len(list(raw.glob('*/*/*/*.jsonl'))):,} files")

    seconds, output, peak = _timed(_build_command(raw, out, True))
    full = json.loads(output)
    size_full, records = full["bytes"], full["records"]
    print(_line("full rebuild", seconds, records, size_full, peak))
    for path, data in held.items():
        path.write_bytes(data)  # the last hour arrives
    seconds_inc, output, peak_inc = _timed(_build_command(raw, out, False))
    incremental = json.loads(output)
    files, size, records_inc = incremental["files"], incremental["bytes"], incremental["records"]
    print(
        _line("incremental (one new hour)", seconds_inc, records_inc, size, peak_inc)
        + f"  ({files} files changed, {size / 1e6:.1f} MB of new lines parsed)"
    )
    _, output, _ = _timed([sys.executable, "-c", _naive_code(raw, args.naive_households, args.naive_days)])
    naive_records, naive_size, naive_inner = output.split()
    naive_rate = int(naive_records) / float(naive_inner)
    print(
        f"{'naive (pandas + jsonschema)':<28} {float(naive_inner):8.2f} s  {naive_rate:>12,.0f} records/s  "
        f"{int(naive_size) / 1e6 / float(naive_inner):8.1f} MB/s  on {naive_records} records "
        f"({args.naive_households} households x {args.naive_days} days)"
    )
    full_rate = records / max(seconds, 1e-9)
    print(f"per-record speed-up of the full rebuild over the naive way: {full_rate / naive_rate:,.1f}x")
    checks = {
        "full rebuild >= 100 MB/s": size_full / 1e6 / seconds >= 100,
        "full rebuild >= 20x the naive way per record": full_rate / naive_rate >= 20,
        "incremental hour < 10 s": seconds_inc < 10,
        "peak memory < 2 GB": max(peak, peak_inc) < 2048,
    }
    print("targets: " + "; ".join(f"{name}: {'met' if ok else 'NOT met'}" for name, ok in checks.items()))
    _screening_figure(out / "cohort", (last_day - timedelta(days=1)).isoformat(), args.days)
    _views_figure(out / "cohort", out / "views")
    sizes = {
        "cohort parquet": sum(p.stat().st_size for p in (out / "cohort").glob("resolution=*/**/*.parquet")),
        "intermediates (_state)": sum(p.stat().st_size for p in (out / "cohort" / "_state").rglob("*.parquet")),
    }
    household_days = args.households * args.days
    for name, value in sizes.items():
        print(f"{name}: {value / 1e6:,.2f} MB ({value / household_days:,.0f} bytes per household-day)")
    views = {p.name: len(gzip.compress(p.read_bytes())) for p in sorted((out / "views").glob("*.json"))}
    print("views (bytes gzipped): " + json.dumps(views))
    return 0
