"""The command line: parses flags, runs the engine, renders, and maps outcomes to exit codes.

This is the only place that turns exceptions into exit codes:
0 nothing at or above --fail-on, 1 findings, 2 usage error or unreadable layer, 3 internal error.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Callable, Iterator, Optional, Sequence

from . import __version__
from . import config as configuration
from .api import run_plans
from .cache import CACHE_ENV
from .registry import SelectionError
from .render import github, markdown, sarif  # the text renderer imports rich: only when asked for, below
from .render.progress import TerminalProgress, for_terminal
from .render.locations import find_repo_root
from .report import EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, FAIL_ON_CHOICES, Report
from .rules import ALL_RULES
from .runtimes import ARCHITECTURES, KnowledgeBaseError, load_knowledge_base
from .targets import UsageError

COMMANDS = ("check", "inspect", "runtimes", "rules", "explain")
REPORT_FORMATS = ("text", "json", "sarif", "github")


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line and exit 2 like every other bad input."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {value!r}")
    return number


def _number(value: str, test: Callable[[float], bool], requirement: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not test(number):  # also false for nan
        raise argparse.ArgumentTypeError(f"must be {requirement}: {value!r}")
    return number


def _share(value: str) -> float:
    return _number(value, lambda share: 0 < share < 1, "between 0 and 1")


def _positive_float(value: str) -> float:
    return _number(value, lambda number: number > 0, "positive")


class _InOrder(argparse.Action):
    """Keeps --format and --output in command-line order, as (kind, value), so that each --output
    can be paired with the --format written just before it."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any, option_string: Optional[str] = None) -> None:
        setattr(namespace, self.dest, [*getattr(namespace, self.dest), (self.const, values)])


def _csv(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _parser(command: str) -> argparse.ArgumentParser:
    prog = "layer-lint" if command == "check" else f"layer-lint {command}"
    parser = _Parser(prog=prog, description=_DESCRIPTIONS[command])
    parser.add_argument("--version", action="version", version=f"layer-lint {__version__}")
    if command == "check":
        parser.add_argument("paths", nargs="+", metavar="LAYER", help="layer .zip files or unpacked layer folders")
        parser.add_argument("--runtime", action="append", default=[], metavar="NAME", help="target runtime, e.g. python3.12 (repeatable)")
        parser.add_argument("--arch", action="append", default=[], metavar="ARCH", help=f"target architecture: {' or '.join(ARCHITECTURES)} (repeatable)")
        parser.add_argument("--target", action="append", default=[], metavar="RUNTIME/ARCH", help="an exact target pair, e.g. python3.12/arm64 (repeatable)")
        parser.add_argument("--fail-on", choices=FAIL_ON_CHOICES, default=None, help="lowest severity that makes the exit code 1 (default: error)")
        parser.add_argument("--select", type=_csv, action="extend", default=[], metavar="RULES", help="only these rules: codes, prefixes or names, comma-separated (replaces the configured selection)")
        parser.add_argument("--extend-select", type=_csv, action="extend", default=[], metavar="RULES", help="add these rules to the configured selection")
        parser.add_argument("--ignore", type=_csv, action="extend", default=[], metavar="RULES", help="skip these rules: codes, prefixes or names, comma-separated")
        parser.add_argument("--format", dest="reports", action=_InOrder, const="format", default=[], choices=REPORT_FORMATS, help="report format: text (default), json, sarif or github; repeatable, one report each")
        parser.add_argument("--output", dest="reports", action=_InOrder, const="output", default=[], metavar="FILE", help="write the report of the --format just before it to FILE instead of standard output")
        parser.add_argument("--config", metavar="FILE", help="read [tool.layer-lint] from FILE instead of the nearest pyproject.toml")
        parser.add_argument("--stack", action="store_true", help="the layers are one function's, in merge order: also check limits and shadowing across them")
        parser.add_argument("--function", metavar="ZIP_OR_FOLDER", help="the function's own package (at /var/task); implies --stack")
        parser.add_argument("--near-limit", type=_share, default=None, metavar="SHARE", help="LL303: warn above this share of the 250 MB unzipped limit (default: 0.8)")
        parser.add_argument("--no-verify", action="store_true", help="skip CRC checks of members no rule needs (faster)")
        parser.add_argument("--no-cache", action="store_true", help=f"neither use nor write the cache of earlier runs (kept in the platform cache folder, or ${CACHE_ENV})")
        parser.add_argument("--max-member-bytes", type=_positive_int, default=None, metavar="N", help="LL407: a member declaring more unzipped bytes is a zip bomb (default: 1 GiB)")
        parser.add_argument("--max-ratio", type=_positive_float, default=None, metavar="R", help="LL407: a member over 10 MiB compressing better than R:1 is a zip bomb (default: 1000)")
        parser.add_argument("--max-total-bytes", type=_positive_int, default=None, metavar="N", help="LL407: a layer declaring more unzipped bytes in all is a zip bomb (default: 4 GiB)")
        parser.add_argument("--max-members", type=_positive_int, default=None, metavar="N", help="a layer of more members is not read at all, since listing it would take too much memory (default: 100,000)")
    if command == "inspect":
        parser.add_argument("paths", nargs="+", metavar="LAYER", help="layer .zip files or unpacked layer folders")
        parser.add_argument("--runtime", action="append", default=[], metavar="NAME", help="also show this runtime in the compatibility matrix (repeatable)")
        parser.add_argument("--format", choices=["text", "json"], default="text", help="output format (default: text)")
        parser.add_argument("--compat", action="store_true", help="show only the compatibility matrix and the CompatibleRuntimes/Architectures to declare")
        parser.add_argument("--allow-warnings", action="store_true", help="count runtimes with warnings (not errors) as compatible")
        parser.add_argument("--no-cache", action="store_true", help="neither use nor write the cache of earlier runs")
    if command in ("check", "inspect", "runtimes"):
        parser.add_argument("--as-of", type=_date, default=None, metavar="YYYY-MM-DD", help="reference date for deprecation (default: today)")
    if command in ("runtimes", "rules"):
        formats = ["text", "json"] + (["markdown", "markdown-table"] if command == "rules" else [])
        parser.add_argument("--format", choices=formats, default="text", help="output format (default: text)")
    if command == "explain":
        parser.add_argument("rule", metavar="CODE_OR_NAME", help="a rule code (LL103) or name (wrong-runtime-version-path)")
    return parser


_DESCRIPTIONS = {
    "check": "Lint AWS Lambda layers (zips or folders) for the runtimes and architectures they will run on "
    "(`layer-lint check LAYER...` is the same). Other commands: inspect, runtimes, rules, explain CODE.",
    "inspect": "Show what layers hold (layout, packages, native code, sizes) and which runtimes and architectures they can serve.",
    "runtimes": "Show the Lambda runtime knowledge base.",
    "rules": "List every rule.",
    "explain": "Explain one rule: what it checks, why it matters, an example and the fix.",
}


def main(argv: Optional[Sequence[str]] = None, stdout: Optional[IO[str]] = None, stderr: Optional[IO[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    command = argv.pop(0) if argv and argv[0] in COMMANDS else "check"
    try:
        try:
            args = _parser(command).parse_args(argv)
        except SystemExit as exc:  # --help and --version
            return int(exc.code or 0)
        return _COMMANDS[command](args, stdout, stderr)
    except configuration.ConfigError as exc:  # a UsageError too; named for the reader
        print(f"layer-lint: error: {exc}", file=stderr)
        return EXIT_USAGE
    except UsageError as exc:
        print(f"layer-lint: error: {exc}", file=stderr)
        return EXIT_USAGE
    except SelectionError as exc:
        print(f"layer-lint: error: {exc}", file=stderr)
        return EXIT_USAGE
    except (KnowledgeBaseError, Exception) as exc:  # noqa: BLE001 - a bug must still end in one line and exit 3
        print(f"layer-lint: internal error: {type(exc).__name__}: {exc} (please report this)", file=stderr)
        return EXIT_INTERNAL


def _check(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    destinations = _destinations(args.reports)
    cwd = Path.cwd()
    loaded = configuration.load_config(args.config, cwd)
    flags = configuration.Settings(
        runtimes=tuple(args.runtime) or None,
        architectures=tuple(args.arch) or None,
        targets=tuple(args.target) or None,
        select=tuple(args.select) or None,
        extend_select=tuple(args.extend_select),
        ignore=tuple(args.ignore),
        fail_on=args.fail_on,
        near_limit=args.near_limit,
        max_member_bytes=args.max_member_bytes,
        max_ratio=args.max_ratio,
        max_total_bytes=args.max_total_bytes,
        max_members=args.max_members,
    )
    plans = configuration.plan(
        loaded,
        flags,
        args.paths,
        cwd=str(cwd),
        as_of=args.as_of or datetime.date.today(),
        stack=args.stack,
        function=args.function,
        verify=not args.no_verify,
        cache=not args.no_cache,
    )
    # A bar on a terminal's stderr, unless a machine-readable report shares that terminal.
    quiet = any(output is None and fmt != "text" for fmt, output in destinations)
    with _terminal_progress(stderr, enabled=not quiet) as progress:
        report = run_plans(args.paths, plans, configuration.fail_on(loaded, flags), progress=progress)
    for layer in report.layers:
        if layer.error is not None:
            print(f"layer-lint: {layer.path}: {layer.error}", file=stderr)
    where = _Where(str(cwd), str(find_repo_root(cwd)), load_knowledge_base().quotas.unzipped_bytes)
    # Files first: an unwritable --output is a usage error before anything reaches the terminal.
    for fmt, output in destinations:
        if output is not None:
            try:
                with open(output, "w", encoding="utf-8") as stream:
                    _write_report(report, fmt, stream, color=False, where=where)
            except OSError as exc:
                raise UsageError(f"cannot write --output {output}: {exc.strerror}") from None
    for fmt, output in destinations:
        if output is None:
            _write_report(report, fmt, stdout, color=None, where=where)
    return report.exit_code()


def _destinations(reports: Sequence[tuple[str, str]]) -> list[tuple[str, Optional[str]]]:
    """(format, file or None for standard output) for each report asked for.

    Each --format is one report. An --output FILE writes the report of the --format just before it;
    an --output before any --format writes the first --format's (text when there is none), so
    `--output r.json --format json` works too. One report at most may go to standard output."""
    pairs: list[list[Any]] = []
    waiting: Optional[str] = None  # an --output given before any --format
    for kind, value in reports:
        if kind == "format":
            pairs.append([value, waiting])
            waiting = None
        elif pairs and pairs[-1][1] is None:
            pairs[-1][1] = value
        elif not pairs and waiting is None:
            waiting = value
        else:
            raise UsageError(f"--output {value}: each --output needs its own --format before it")
    if waiting is not None:
        pairs.append(["text", waiting])
    if not pairs:
        pairs.append(["text", None])
    to_stdout = [fmt for fmt, output in pairs if output is None]
    if len(to_stdout) > 1:
        raise UsageError(f"only one report can go to standard output, but --format {' and '.join(to_stdout)} have no --output FILE")
    return [(fmt, output) for fmt, output in pairs]


@dataclass(frozen=True)
class _Where:
    """What renderers need besides the report: where relative paths start, the repository root
    (SARIF's %SRCROOT%, annotation files) and the unzipped limit the text size bars are drawn against."""

    cwd: str
    root: str
    limit: int


def _write_report(report: Report, fmt: str, stream: IO[str], color: Optional[bool], where: _Where) -> None:
    if fmt == "json":
        stream.write(json.dumps(report.to_json(), indent=2) + "\n")
    elif fmt == "sarif":
        stream.write(json.dumps(sarif.sarif_log(report, ALL_RULES, cwd=where.cwd, root=where.root), indent=2) + "\n")
    elif fmt == "github":
        for line in github.annotations(report, cwd=where.cwd, root=where.root):
            stream.write(line + "\n")
    else:
        from .render import text

        text.render_report(report, text.console(stream, color), where.limit)


def _runtimes(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    from .render import text

    kb = load_knowledge_base()
    if args.format == "json":
        stdout.write(json.dumps([runtime.to_json() for runtime in kb.runtimes.values()], indent=2) + "\n")
    else:
        text.render_runtimes(kb, args.as_of or datetime.date.today(), text.console(stdout))
    return EXIT_OK


def _rules(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    from .render import text

    if args.format == "json":
        stdout.write(json.dumps([rule.to_json() for rule in ALL_RULES], indent=2) + "\n")
    elif args.format == "markdown":
        stdout.write(markdown.rules_document(ALL_RULES))
    elif args.format == "markdown-table":
        stdout.write(markdown.rules_table(ALL_RULES))
    else:
        text.render_rules(ALL_RULES, text.console(stdout))
    return EXIT_OK


def _explain(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    from .render import text

    wanted = args.rule
    for rule in ALL_RULES:
        if wanted.upper() == rule.code or wanted == rule.name:
            text.render_explain(rule, text.console(stdout))
            return EXIT_OK
    raise UsageError(f"no rule {wanted!r}; `layer-lint rules` lists them")


def _inspect(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    from .inspect import inspect_layers
    from .render import text

    with _terminal_progress(stderr, enabled=args.format == "text") as progress:
        inspection = inspect_layers(
            args.paths, runtimes=args.runtime, as_of=args.as_of, allow_warnings=args.allow_warnings, cache=not args.no_cache, progress=progress
        )
    for view in inspection.layers:
        if view.error is not None:
            print(f"layer-lint: {view.path}: {view.error}", file=stderr)
    if args.format == "json":
        stdout.write(json.dumps(inspection.to_json(compat_only=args.compat), indent=2) + "\n")
    else:
        limit = load_knowledge_base().quotas.unzipped_bytes
        text.render_inspection(inspection, text.console(stdout), limit, compat_only=args.compat)
    if any(code == "LL000" for view in inspection.layers for cell in view.compatibility for code in cell.codes):
        return EXIT_INTERNAL  # a rule crashed: a bug, whatever the matrix shows
    return EXIT_USAGE if any(view.error is not None for view in inspection.layers) else EXIT_OK


@contextlib.contextmanager
def _terminal_progress(stderr: IO[str], enabled: bool) -> Iterator[Optional[TerminalProgress]]:
    """A progress bar for the run when stderr is a terminal (progress.for_terminal), cleared
    before the report is printed."""
    progress = for_terminal(stderr, enabled)
    try:
        yield progress
    finally:
        if progress is not None:
            progress.finish()


_COMMANDS = {"check": _check, "inspect": _inspect, "runtimes": _runtimes, "rules": _rules, "explain": _explain}
