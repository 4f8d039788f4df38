"""Command-line entry point: ``python -m aggregation COMMAND [options]``.

Each command lives in its own module exposing ``add_arguments(parser)`` and
``run(args) -> int``; only the chosen command's module is imported, so a command
never pays for (or breaks on) another command's dependencies.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Protocol, cast

COMMANDS = {
    "simulate": ("aggregation.simulate", "write a synthetic cohort of households in the raw layout"),
    "build": ("aggregation.build", "validate raw JSONL and build cohort Parquet and dashboard views"),
    "register": ("aggregation.register", "process join and leave issues into the registry (data/registry.json)"),
    "ingest": ("aggregation.ingest", "fetch the changed day files of registered household repositories"),
    "bench": ("aggregation.bench", "measure the aggregation against the naive way and print figures"),
}


class Command(Protocol):
    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


def _usage() -> str:
    lines = ["usage: python -m aggregation COMMAND [options]", "", "commands:"]
    lines += [f"  {name:<10}{summary}" for name, (_, summary) in COMMANDS.items()]
    lines += ["", "python -m aggregation COMMAND --help shows a command's options."]
    return "\n".join(lines)


def _start_workers_early() -> None:
    """Start the build's worker server now, so that it imports pandas and pyarrow on the other core while
    this process does the same (about a second saved on a two-core machine)."""
    from multiprocessing import forkserver

    forkserver.set_forkserver_preload(["aggregation.day"])
    forkserver.ensure_running()


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help"}:
        print(_usage())
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"unknown command {name!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    module_name, summary = COMMANDS[name]
    if name == "build":
        _start_workers_early()
    module = cast(Command, importlib.import_module(module_name))
    parser = argparse.ArgumentParser(prog=f"python -m aggregation {name}", description=summary)
    module.add_arguments(parser)
    return module.run(parser.parse_args(rest))
