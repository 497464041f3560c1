"""Which layer a test runs in (pyproject.toml markers): `make test-fast` leaves out what is
marked slow, browser or nginx; `make test` runs everything."""
from __future__ import annotations

import os

import pytest


def one_fast(values) -> list:
    """Parameters for a sweep (every role, page, kind, period): the first case runs in the
    working loop, the rest only in the full layer — the loop still meets each check once."""
    values = list(values)
    return values[:1] + [pytest.param(v, marks=pytest.mark.slow) for v in values[1:]]


# `make test-fast` sets DIJKWACHT_TESTLAAG=snel: property tests try a tenth of their examples
# (at least 20) there, and all of them in the full layer that CI runs.
FAST = os.environ.get("DIJKWACHT_TESTLAAG") == "snel"


def examples(n: int) -> int:
    """Hypothesis max_examples for this layer."""
    return max(20, n // 10) if FAST else n
