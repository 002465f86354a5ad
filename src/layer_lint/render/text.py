"""Terminal output with rich: lint reports, the runtime table, the rule list and rule docs."""

from __future__ import annotations

import datetime
import re
from typing import IO, TYPE_CHECKING, Optional, Sequence

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..registry import Rule

if TYPE_CHECKING:
    from ..inspect import Inspection, LayerView
from ..report import Finding, LayerReport, Report
from ..runtimes import KnowledgeBase
from ..sizes import human_bytes
from .plain import whole

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def console(stream: IO[str], color: Optional[bool] = None) -> Console:
    """A console that colours only real terminals (rich honours NO_COLOR) and never wraps paths."""
    terminal = color if color is not None else stream.isatty()
    return Console(
        file=stream,
        # Off a terminal (pipes, files, CI logs) keep tables and messages on long lines.
        width=None if terminal else 240,
        no_color=None if color is None else not color,
        force_terminal=color,
        highlight=False,
        soft_wrap=True,
        emoji=False,
    )


# The bars of the size table are drawn against Lambda's unzipped limit (250 MB).
_BAR_WIDTH = 30
_TOP_SIZES = 10


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _clean(text: str) -> str:
    """Member names come from the archive: never let one send escape sequences to the terminal."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def render_report(report: Report, out: Console, unzipped_limit: int) -> None:
    for layer in report.layers:
        _render_layer(layer, out)
        _render_binaries(layer, out)
        _render_sizes(layer, out, unzipped_limit)
    if report.stack is not None:
        stack = report.stack
        header = Text("stack", style="bold")
        members = ([f"function {stack.function}"] if stack.function else []) + stack.layers
        counted = _plural(len(stack.layers), "layer") + (" and the function" if stack.function else "")
        header.append(f"  ({counted}, {human_bytes(stack.unzipped_bytes)} unzipped: {', '.join(members)})", style="dim")
        out.print(header)
        for finding in stack.findings:
            _render_finding(finding, out)
    for skipped in report.skipped_targets:
        out.print(Text(f"note: skipped {skipped.target}: {skipped.reason}", style="dim"))
    counts = report.summary()
    parts = [_plural(counts["errors"], "error"), _plural(counts["warnings"], "warning"), _plural(counts["infos"], "info")]
    style = "bold red" if counts["errors"] else ("yellow" if counts["warnings"] else "green")
    out.print(Text(f"Found {', '.join(parts)} in {_plural(len(report.layers), 'layer')}.", style=style))


def _header(path: str, zipped: Optional[int], unzipped: int, files: int, error: Optional[str]) -> Text:
    """A layer's first line: its path and sizes, or why it cannot be read."""
    header = Text(_clean(path), style="bold")
    if error is not None:
        header.append(f"  cannot be read: {_clean(error)}", style="bold red")
        return header
    sizes = [f"{human_bytes(unzipped)} unzipped", _plural(files, "file")]
    if zipped is not None:
        sizes.insert(0, f"{human_bytes(zipped)} zipped")
    header.append(f"  ({', '.join(sizes)})", style="dim")
    return header


def _render_layer(layer: LayerReport, out: Console) -> None:
    out.print(_header(layer.path, layer.zipped_bytes, layer.unzipped_bytes, layer.files, layer.error))
    if layer.error is not None:
        return
    out.print(Text("  targets: " + _clean(_targets_line(layer)), style="dim"))
    failed = _failed_line(layer)
    if failed:
        out.print(Text("  failed targets: " + _clean(failed), style="red"))
    for finding in layer.findings:
        _render_finding(finding, out)


def _render_finding(finding: Finding, out: Console) -> None:
    line = Text("  ")
    line.append(f"{finding.severity:<7} ", style=_STYLE[finding.severity])
    line.append(f"{finding.code} ", style="bold")
    line.append(f"{finding.name} ", style="dim")
    line.append(_clean(finding.path or whole(finding)), style="magenta")
    out.print(line)
    out.print(Text(f"          {_clean(finding.message)}"))
    out.print(Text(f"          fix: {_clean(finding.fix)}", style="green"))


_TOP_BINARIES = 10


def _render_binaries(layer: LayerReport, out: Console) -> None:
    if not layer.binaries:
        return
    # Loaded binaries with unresolved libraries first: they are the ones that need attention.
    ordered = sorted(layer.binaries, key=lambda b: (not b.unresolved, not b.loaded, b.path))
    out.print(Text(f"  native code ({_plural(len(layer.binaries), 'file')}; newest glibc / libstdc++ versions needed)", style="dim"))
    width = min(70, max(len(b.path) for b in ordered[:_TOP_BINARIES]))
    for binary in ordered[:_TOP_BINARIES]:
        line = Text(f"    {_clean(binary.path):<{width}} ")
        line.append(f"{binary.format} {binary.arch or '?'}", style="cyan")
        versions = " ".join(v for v in (binary.glibc, binary.glibcxx) if v)
        line.append(f"  {versions}" if versions else "", style="dim")
        line.append("" if binary.loaded else "  not loaded", style="dim")
        if binary.unresolved:
            line.append(f"  unresolved: {', '.join(binary.unresolved)}", style="yellow")
        out.print(line)
    if len(ordered) > _TOP_BINARIES:
        out.print(Text(f"    ... and {len(ordered) - _TOP_BINARIES} more (--format json lists them all)", style="dim"))


def _render_sizes(layer: LayerReport, out: Console, limit: int) -> None:
    if not layer.sizes:
        return
    out.print(Text(f"  largest (bars: share of the {human_bytes(limit)} unzipped limit)", style="dim"))
    width = max(len(item.name) + len(item.version or "") + 1 for item in layer.sizes[:_TOP_SIZES])
    for item in layer.sizes[:_TOP_SIZES]:
        filled = min(_BAR_WIDTH, round(_BAR_WIDTH * item.unzipped_bytes / limit))
        label = f"{item.name} {item.version}" if item.version else item.name
        line = Text(f"    {label:<{width}} ")
        line.append("█" * filled, style="blue")
        line.append("·" * (_BAR_WIDTH - filled), style="dim")
        line.append(f" {human_bytes(item.unzipped_bytes):>9}  {_plural(item.files, 'file')}", style="dim")
        out.print(line)


def _targets_line(layer: LayerReport) -> str:
    if not layer.targets:
        return "none"
    by_reason: dict[str, list[str]] = {}
    for target in layer.targets:
        key = ("inferred from " if target.inferred else "") + target.reason
        by_reason.setdefault(key, []).append(str(target.target))
    return "; ".join(f"{', '.join(names)} ({reason})" for reason, names in by_reason.items())


def _failed_line(layer: LayerReport) -> str:
    """When the targets were inferred: those (cells of the inspect command's compatibility matrix)
    with an error, grouped by the codes behind it, so a layer that suits only some of them says which."""
    if not any(target.inferred for target in layer.targets):
        return ""
    by_codes: dict[tuple[str, ...], list[str]] = {}
    for target in layer.targets:
        status, codes = layer.status(target.target)
        if status == "error":
            by_codes.setdefault(codes, []).append(str(target.target))
    return "; ".join(f"{', '.join(names)} ({' '.join(codes)})" for codes, names in by_codes.items())


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def render_runtimes(kb: KnowledgeBase, as_of: datetime.date, out: Console) -> None:
    table = Table(title=f"Lambda runtimes (knowledge base {kb.version}, status as of {as_of})", title_justify="left")
    for column in ("runtime", "OS", "glibc", "arch", "status", "deprecated", "block create", "block update", "layer folders"):
        table.add_column(column)
    for runtime in kb.runtimes.values():
        status = runtime.status(as_of)
        table.add_row(
            runtime.id,
            runtime.os or "?",
            runtime.glibc or "?",
            ", ".join(runtime.architectures) or "?",
            Text(status, style="green" if status == "supported" else "yellow"),
            _day(runtime.deprecated),
            _day(runtime.block_create),
            _day(runtime.block_update),
            ", ".join(path + "/" for path in runtime.opt_paths()),
        )
    out.print(table)


def _day(day: Optional[datetime.date]) -> str:
    return day.isoformat() if day else "-"


def render_rules(rules: Sequence[Rule], out: Console) -> None:
    table = Table(box=None, show_header=True)
    for column in ("code", "name", "severity", "summary"):
        table.add_column(column)
    for rule in rules:
        table.add_row(rule.code, rule.name, Text(rule.severity, style=_STYLE[rule.severity]), rule.summary)
    out.print(table)


def render_explain(rule: Rule, out: Console) -> None:
    out.print(Text(f"{rule.code} {rule.name} ({rule.severity})", style="bold"))
    out.print(Text(rule.summary))
    for heading, body in rule.sections():
        out.print()
        out.print(Text(heading, style="bold"))
        out.print(Text(body))


_CELL = {"ok": ("ok", "green"), "warning": ("warn", "yellow"), "error": ("FAIL", "bold red"), "unsupported": ("-", "dim"), "unknown": ("?", "dim")}


def render_inspection(inspection: "Inspection", out: Console, limit: int, compat_only: bool = False) -> None:
    for view in inspection.layers:
        header = _header(view.path, view.zipped_bytes, view.unzipped_bytes, view.files, view.error)
        if view.error is not None:
            out.print(header)
            continue
        header.append("  ")
        header.append_text(_bar(view.unzipped_bytes, limit))
        out.print(header)
        if not compat_only:
            _render_view_details(view, out, limit)
        _render_matrix(view, out)
        _render_suggestions(view, out)


def _bar(size: int, limit: int) -> Text:
    filled = min(_BAR_WIDTH, round(_BAR_WIDTH * size / limit))
    bar = Text("█" * filled, style="blue")
    bar.append("·" * (_BAR_WIDTH - filled), style="dim")
    bar.append(f" {100 * size / limit:.1f}% of {human_bytes(limit)}", style="dim")
    return bar


def _render_view_details(view: "LayerView", out: Console, limit: int) -> None:
    out.print(Text("  layout", style="bold"))
    for entry in view.layout:
        readers = entry["note"] or (_runtime_ranges(entry["runtimes"]) if entry["runtimes"] else "on no runtime's search path")
        out.print(Text(f"    {_clean(entry['name']):<28} {human_bytes(entry['unzipped_bytes']):>9}  {readers}"))
    labels = {
        "python_distributions": "Python distributions",
        "node_packages": "Node packages",
        "java_jars": "Java jars",
        "ruby_gems": "Ruby gems",
        "executables": "executables in bin/",
        "extensions": "extensions",
        "bootstrap": "custom runtime",
    }
    for key, label in labels.items():
        items = view.contents.get(key, [])
        if not items:
            continue
        out.print(Text(f"  {label} ({len(items)})", style="bold"))
        for item in items[:_TOP_SIZES]:
            name = item.get("name") or item.get("path")
            version = f" {item['version']}" if item.get("version") else ""
            tags = f"  [{', '.join(item['tags'])}]" if item.get("tags") else ""
            out.print(Text(f"    {_clean(name)}{_clean(version)}{_clean(tags)}"))
        if len(items) > _TOP_SIZES:
            out.print(Text(f"    ... and {len(items) - _TOP_SIZES} more", style="dim"))
    layer = LayerReport(path=view.path, binaries=view.binaries, sizes=view.sizes)
    _render_binaries(layer, out)
    _render_sizes(layer, out, limit)


def _runtime_ranges(runtimes: list[str]) -> str:
    return ", ".join(runtimes) if len(runtimes) <= 8 else f"{', '.join(runtimes[:8])} and {len(runtimes) - 8} more"


def _render_matrix(view: "LayerView", out: Console) -> None:
    if not view.compatibility:
        return
    out.print(Text("  compatibility", style="bold"))
    table = Table(box=None, padding=(0, 2))
    table.add_column("runtime")
    for arch in ("x86_64", "arm64"):
        table.add_column(arch)
    rows: dict[str, dict[str, Text]] = {}
    for cell in view.compatibility:
        label, style = _CELL[cell.status]
        text = Text(label, style=style)
        if cell.codes:
            text.append(" " + " ".join(cell.codes), style="dim")
        rows.setdefault(cell.runtime, {})[cell.arch] = text
    for runtime, cells in rows.items():
        table.add_row(runtime, cells.get("x86_64", Text("")), cells.get("arm64", Text("")))
    out.print(Padding(table, (0, 0, 0, 2), expand=False))
    if any(cell.status == "unsupported" for cell in view.compatibility):
        out.print(Text("    -: the runtime does not exist on that architecture", style="dim"))
    if any(cell.status == "unknown" for cell in view.compatibility):
        out.print(Text("    ?: the knowledge base does not know the runtime's architectures or OS; `layer-lint check --runtime NAME` runs the rules that need neither", style="dim"))


def _render_suggestions(view: "LayerView", out: Console) -> None:
    if not view.compatible_runtimes:
        warned = sorted({cell.runtime for cell in view.compatibility if cell.status == "warning"})
        hint = f" ({', '.join(warned)} only with warnings: --allow-warnings counts them)" if warned else ""
        out.print(Text(f"  no runtime passes cleanly{hint}; `layer-lint check --runtime NAME` says what to fix", style="yellow"))
        return
    flags = f"--compatible-runtimes {' '.join(view.compatible_runtimes)}"
    if view.compatible_architectures:
        flags += f" --compatible-architectures {' '.join(view.compatible_architectures)}"
    out.print(Text("  declare when publishing:", style="bold"))
    out.print(Text(f"    aws lambda publish-layer-version ... {flags}"))
    out.print(Text("    SAM (AWS::Serverless::LayerVersion) / CloudFormation (AWS::Lambda::LayerVersion) properties:"))
    out.print(Text(f"      CompatibleRuntimes: [{', '.join(view.compatible_runtimes)}]"))
    if view.compatible_architectures:
        out.print(Text(f"      CompatibleArchitectures: [{', '.join(view.compatible_architectures)}]"))
    else:
        out.print(Text("    no architecture works for every runtime above: publish one layer version per architecture", style="yellow"))
    if view.left_out:
        out.print(Text(f"    left out (AWS allows 15 runtimes per layer version): {', '.join(view.left_out)}", style="dim"))
