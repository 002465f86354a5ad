"""Shared fixtures: the reference date every test pins, and a CLI runner."""

from __future__ import annotations

import datetime
import io
import json
import os
from dataclasses import dataclass
from importlib.resources import files

import pytest

from coldwarm import cold_then_warm
from layer_lint.cache import CACHE_ENV
from layer_lint.cli import main

AS_OF = datetime.date(2026, 11, 28)


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> dict:
        return json.loads(self.out)


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    """Every run in the tests (in-process and subprocess) caches into a folder of the session's own."""
    folder = tmp_path_factory.mktemp("layer-lint-cache")
    previous = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop(CACHE_ENV, None)
    else:
        os.environ[CACHE_ENV] = previous


def run_cli(*args: str) -> Run:
    """The CLI in-process, once."""
    out, err = io.StringIO(), io.StringIO()
    code = main([str(arg) for arg in args], stdout=out, stderr=err)
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli_once():
    """Run the CLI in-process once, with whatever cache $LAYER_LINT_CACHE_DIR holds (for the cache's own tests)."""
    return run_cli


@pytest.fixture
def cli():
    """Run the CLI in-process; returns exit code, stdout and stderr. A check or inspect runs cold and
    then warm (coldwarm.py), and must say the same both times."""

    def run(*args: str) -> Run:
        argv = [str(arg) for arg in args]
        if argv[:1] not in (["runtimes"], ["rules"], ["explain"]) and "--no-cache" not in argv:
            return cold_then_warm(lambda: run_cli(*argv), lambda run: (run.code, run.out, run.err))
        return run_cli(*argv)

    return run


@pytest.fixture(scope="session")
def report_schema() -> dict:
    return json.loads(files("layer_lint").joinpath("data", "report.schema.json").read_text())
