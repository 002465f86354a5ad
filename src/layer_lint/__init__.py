"""layer-lint: lint and inspect AWS Lambda layers before you deploy them."""

from __future__ import annotations

__version__ = "0.1.0"

from .api import lint  # noqa: E402  (lint needs __version__)
from .report import Finding, Report  # noqa: E402

__all__ = ["Finding", "Report", "__version__", "lint"]
