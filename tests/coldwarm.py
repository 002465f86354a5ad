"""Every test layer linted twice: cold (an empty cache, which the run fills) and warm (the same
run again, reading from that cache). The helpers that lint in the tests go through
`cold_then_warm`, so each test layer proves that the cache gives exactly the cold run's answer."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence, TypeVar

from layer_lint import api, engine
from layer_lint.cache import CACHE_ENV
from layer_lint.engine import Options
from layer_lint.report import Report

T = TypeVar("T")


@contextlib.contextmanager
def fresh_cache() -> Iterator[Path]:
    """An empty cache folder for the runs inside, as $LAYER_LINT_CACHE_DIR (in-process and
    subprocess runs both read it)."""
    folder = Path(tempfile.mkdtemp(prefix="layer-lint-coldwarm-"))
    previous = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(folder)
    try:
        yield folder
    finally:
        if previous is None:
            os.environ.pop(CACHE_ENV, None)
        else:
            os.environ[CACHE_ENV] = previous
        shutil.rmtree(folder, ignore_errors=True)


def cold_then_warm(run: Callable[[], T], outcome: Callable[[T], Any]) -> T:
    """run() with an empty cache and again with the cache it filled (a run that needs no member
    read, such as one of only the path rules, fills none); their outcomes must be equal.
    test_cache.py proves that the second run reads from the cache."""
    with fresh_cache():
        cold = run()
        warm = run()
    assert outcome(warm) == outcome(cold), "the warm run (from the cache) differs from the cold run"
    return warm


def lint(*args: Any, **kwargs: Any) -> Report:
    """layer_lint.lint, cold then warm."""
    return cold_then_warm(lambda: api.lint(*args, **kwargs), Report.to_json)


def run(paths: Sequence[str], options: Options) -> Report:
    """engine.run, cold then warm (Options.cache must be on for the second run to be warm)."""
    return cold_then_warm(lambda: engine.run(paths, options), Report.to_json)
