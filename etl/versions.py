"""The kept versions of the served database, beside it in <name>.versies/: listing, pruning,
and the fsync every rename needs. Shared by publishing (etl/publish.py) and by the retention
purge of kept versions (etl/retention.py)."""
from __future__ import annotations

import os
from pathlib import Path

KEEP_VERSIONS = 5


def versions_dir(served: Path) -> Path:
    return served.with_name(served.stem + ".versies")


def fsync(path: Path) -> None:
    """fsync a file, or a directory after a rename in it."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def next_version_number(versions: Path) -> int:
    numbers = [int(p.name.split("-", 1)[0]) for p in versions.glob("*.duckdb") if p.name[:6].isdigit()]
    return max(numbers, default=0) + 1


def list_versions(served: Path) -> list[Path]:
    """Kept versions, newest first."""
    return sorted(versions_dir(served).glob("*.duckdb"), reverse=True)


def prune_versions(served: Path) -> None:
    for old in list_versions(served)[KEEP_VERSIONS:]:
        old.unlink(missing_ok=True)
