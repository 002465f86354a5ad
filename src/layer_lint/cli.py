"""The command line: parses flags, runs the engine, renders, and maps outcomes to exit codes.

This is the only place that turns exceptions into exit codes:
0 nothing at or above --fail-on, 1 findings, 2 usage error or unreadable layer, 3 internal error.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from typing import IO, Optional, Sequence

from . import __version__
from .engine import Options, run
from .limits import Limits
from .registry import SelectionError
from .render import markdown, text
from .report import EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, FAIL_ON_CHOICES, Report
from .rules import ALL_RULES
from .runtimes import ARCHITECTURES, KnowledgeBaseError, load_knowledge_base
from .targets import TargetRequest, UsageError

COMMANDS = ("check", "runtimes", "rules", "explain")


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


def _share(value: str) -> float:
    try:
        share = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0 < share < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1: {value!r}")
    return share


def _csv(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _parser(command: str) -> argparse.ArgumentParser:
    prog = "layer-lint" if command == "check" else f"layer-lint {command}"
    parser = _Parser(prog=prog, description=_DESCRIPTIONS[command])
    parser.add_argument("--version", action="version", version=f"layer-lint {__version__}")
    if command == "check":
        parser.add_argument("paths", nargs="+", metavar="LAYER", help="layer .zip files or unpacked layer folders")
        parser.add_argument("--runtime", action="append", default=[], metavar="NAME", help="target runtime, e.g. python3.12 (repeatable)")
        parser.add_argument("--arch", action="append", default=[], choices=ARCHITECTURES, help="target architecture (repeatable)")
        parser.add_argument("--target", action="append", default=[], metavar="RUNTIME/ARCH", help="an exact target pair, e.g. python3.12/arm64 (repeatable)")
        parser.add_argument("--fail-on", choices=FAIL_ON_CHOICES, default="error", help="lowest severity that makes the exit code 1 (default: error)")
        parser.add_argument("--select", type=_csv, action="extend", default=[], metavar="RULES", help="only these rules: codes, prefixes or names, comma-separated")
        parser.add_argument("--ignore", type=_csv, action="extend", default=[], metavar="RULES", help="skip these rules: codes, prefixes or names, comma-separated")
        parser.add_argument("--output", metavar="FILE", help="write the report to FILE instead of standard output")
        parser.add_argument("--stack", action="store_true", help="the layers are one function's, in merge order: also check limits and shadowing across them")
        parser.add_argument("--function", metavar="ZIP_OR_FOLDER", help="the function's own package (at /var/task); implies --stack")
        parser.add_argument("--near-limit", type=_share, default=0.8, metavar="SHARE", help="LL303: warn above this share of the 250 MB unzipped limit (default: 0.8)")
        parser.add_argument("--no-verify", action="store_true", help="skip CRC checks of members no rule needs (faster)")
        parser.add_argument("--max-member-bytes", type=_positive_int, default=Limits.member_bytes, metavar="N", help="LL407: a member declaring more unzipped bytes is a zip bomb (default: 1 GiB)")
        parser.add_argument("--max-ratio", type=float, default=Limits.ratio, metavar="R", help="LL407: a member over 10 MiB compressing better than R:1 is a zip bomb (default: 1000)")
        parser.add_argument("--max-total-bytes", type=_positive_int, default=Limits.total_bytes, metavar="N", help="LL407: a layer declaring more unzipped bytes in all is a zip bomb (default: 4 GiB)")
    if command in ("check", "runtimes"):
        parser.add_argument("--as-of", type=_date, default=None, metavar="YYYY-MM-DD", help="reference date for deprecation (default: today)")
    if command in ("check", "runtimes", "rules"):
        formats = ["text", "json"] + (["markdown", "markdown-table"] if command == "rules" else [])
        parser.add_argument("--format", choices=formats, default="text", help="output format (default: text)")
    if command == "explain":
        parser.add_argument("rule", metavar="CODE_OR_NAME", help="a rule code (LL103) or name (wrong-runtime-version-path)")
    return parser


_DESCRIPTIONS = {
    "check": "Lint AWS Lambda layers (zips or folders) for the runtimes and architectures they will run on. "
    "Other commands: runtimes, rules, explain CODE.",
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
    options = Options(
        request=TargetRequest(tuple(args.runtime), tuple(args.arch), tuple(args.target)),
        as_of=args.as_of or datetime.date.today(),
        select=tuple(args.select),
        ignore=tuple(args.ignore),
        limits=Limits(
            member_bytes=args.max_member_bytes,
            ratio=args.max_ratio,
            total_bytes=args.max_total_bytes,
            verify=not args.no_verify,
        ),
        stack=args.stack,
        function=args.function,
        near_limit=args.near_limit,
    )
    report = run(args.paths, options)
    for layer in report.layers:
        if layer.error is not None:
            print(f"layer-lint: {layer.path}: {layer.error}", file=stderr)
    limit = load_knowledge_base().quotas.unzipped_bytes
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as stream:
                _write_report(report, args.format, stream, color=False, limit=limit)
        except OSError as exc:
            raise UsageError(f"cannot write --output {args.output}: {exc.strerror}") from None
    else:
        _write_report(report, args.format, stdout, color=None, limit=limit)
    return report.exit_code(args.fail_on)


def _write_report(report: Report, fmt: str, stream: IO[str], color: Optional[bool], limit: int) -> None:
    if fmt == "json":
        stream.write(json.dumps(report.to_json(), indent=2) + "\n")
    else:
        text.render_report(report, text.console(stream, color), limit)


def _runtimes(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    kb = load_knowledge_base()
    if args.format == "json":
        stdout.write(json.dumps([runtime.to_json() for runtime in kb.runtimes.values()], indent=2) + "\n")
    else:
        text.render_runtimes(kb, args.as_of or datetime.date.today(), text.console(stdout))
    return EXIT_OK


def _rules(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
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
    wanted = args.rule
    for rule in ALL_RULES:
        if wanted.upper() == rule.code or wanted == rule.name:
            text.render_explain(rule, text.console(stdout))
            return EXIT_OK
    raise UsageError(f"no rule {wanted!r}; `layer-lint rules` lists them")


_COMMANDS = {"check": _check, "runtimes": _runtimes, "rules": _rules, "explain": _explain}
