"""layer-lint: lint and inspect AWS Lambda layers before you deploy them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Finding", "Report", "__version__", "lint"]

if TYPE_CHECKING:
    from .api import lint
    from .report import Finding, Report


def __getattr__(name: str) -> Any:
    # Lazy (PEP 562): `import layer_lint` must stay cheap because pytest imports the plugin
    # module, and so this package, in every test run, even where no layer is linted.
    if name == "lint":
        from .api import lint

        return lint
    if name in ("Finding", "Report"):
        from . import report

        return getattr(report, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
