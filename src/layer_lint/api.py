"""The public entry point shared by the CLI and the pytest plugin."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Iterable, Optional, Sequence, Union

from .engine import Options, run
from .report import Report
from .targets import TargetRequest


def lint(
    paths: Union[str, Path, Sequence[Union[str, Path]]],
    runtimes: Optional[Iterable[str]] = None,
    archs: Optional[Iterable[str]] = None,
    *,
    targets: Iterable[str] = (),
    as_of: Optional[datetime.date] = None,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> Report:
    """Lint one or more layer zips or folders.

    `runtimes` and `archs` work like --runtime and --arch, `targets` like --target
    ("python3.12/arm64"); without them targets are inferred from each layer's layout.
    Raises targets.UsageError or registry.SelectionError for bad values.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    options = Options(
        request=TargetRequest(tuple(runtimes or ()), tuple(archs or ()), tuple(targets)),
        as_of=as_of or datetime.date.today(),
        select=tuple(select),
        ignore=tuple(ignore),
    )
    return run(list(paths), options)
