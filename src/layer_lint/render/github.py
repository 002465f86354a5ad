"""GitHub Actions workflow commands: one annotation per finding, shown on the run and the pull request.

    ::error file=dist/layer.zip,title=LL103::python/lib/python3.9/site-packages/: <message>%0Afix: <fix>

error, warning and info become ::error, ::warning and ::notice. Values are escaped as the runner
expects (its toolkit's escapeData / escapeProperty): `%`, CR and LF everywhere, and also `:` and
`,` inside properties, where they would end a key or a value.
"""

from __future__ import annotations

from typing import Optional

from ..report import Finding, Report
from .locations import absolute, repo_relative

_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: dict[str, Optional[str]], message: str) -> str:
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items() if value is not None)
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def annotations(report: Report, *, cwd: str, root: str) -> list[str]:
    """The workflow commands for a report; `file=` is the zip relative to the repository root."""
    lines = []
    for layer in report.layers:
        file = _file(layer.path, cwd, root)
        if layer.error is not None:
            lines.append(command("error", {"file": file, "title": "layer-lint: unreadable layer"}, f"cannot be read: {layer.error}"))
        lines.extend(_annotation(finding, file) for finding in layer.findings)
    if report.stack is not None:
        # A stack finding belongs to no single zip: an annotation on the run, not on a file.
        lines.extend(_annotation(finding, None) for finding in report.stack.findings)
    return lines


def _annotation(finding: Finding, file: Optional[str]) -> str:
    where = f"{finding.path}: " if finding.path else ""
    return command(_COMMAND[finding.severity], {"file": file, "title": finding.code}, f"{where}{finding.message}\nfix: {finding.fix}")


def _file(layer_path: str, cwd: str, root: str) -> str:
    return repo_relative(layer_path, cwd, root) or absolute(layer_path, cwd)
