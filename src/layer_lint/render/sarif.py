"""SARIF 2.1.0 for code scanning (GitHub, Azure DevOps, IDE viewers).

One run; `tool.driver.rules` is the whole rule registry with its docs as help text; one result per
finding, stack findings included. A layer is a binary artifact with no lines, so a result's
location is the zip itself: its path relative to the repository root under uriBaseId %SRCROOT%
(absolute file URIs for layers outside the repository). The member path, which SARIF cannot
address inside a zip, goes in the message and in the result's properties.

`originalUriBaseIds` is left out on purpose: it would put this machine's absolute paths into the
log, and code scanning resolves %SRCROOT% to the checkout itself.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Optional, Sequence
from urllib.parse import quote

from ..registry import Rule
from ..report import STACK, Finding, Report
from .locations import absolute, repo_relative

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
INTERNAL_ERROR_RULE = {
    "id": "LL000",
    "name": "internal-error",
    "shortDescription": {"text": "A rule crashed: a bug in layer-lint, not in the layer."},
    "help": {"text": "Please report it with the layer (or its listing: unzip -Zl)."},
    "defaultConfiguration": {"level": "error"},
}


def sarif_log(report: Report, rules: Sequence[Rule], *, cwd: str, root: str) -> dict[str, Any]:
    """The SARIF document for a report; `cwd` resolves relative layer paths, `root` is %SRCROOT%."""
    descriptors = [_descriptor(rule) for rule in rules]
    index = {rule.code: number for number, rule in enumerate(rules)}
    results: list[dict[str, Any]] = []
    seen: dict[tuple[str, str, str], int] = {}
    for layer in report.layers:
        for finding in layer.findings:
            results.append(_result(finding, [_location(layer.path, cwd, root)], index, seen))
    if report.stack is not None:
        members = ([report.stack.function] if report.stack.function else []) + report.stack.layers
        for finding in report.stack.findings:
            # A shadowed package (LL305) is about the zips that ship it; the limits are about them all.
            copies = finding.data.get("copies") if isinstance(finding.data, dict) else None
            involved = list(dict.fromkeys(c["layer"] for c in copies or () if isinstance(c, dict) and c.get("layer")))
            results.append(_result(finding, [_location(path, cwd, root) for path in involved or members], index, seen))
    crashed = any(result["ruleId"] == "LL000" for result in results)
    if crashed:
        descriptors.append(INTERNAL_ERROR_RULE)
    notifications = [
        {"level": "error", "message": {"text": f"{layer.path}: cannot be read: {layer.error}"}, "locations": [_location(layer.path, cwd, root)]}
        for layer in report.layers
        if layer.error is not None
    ]
    invocation: dict[str, Any] = {"executionSuccessful": not notifications and not crashed}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "layer-lint",
                        "version": report.tool_version,
                        "semanticVersion": report.tool_version,
                        "rules": descriptors,
                    }
                },
                "invocations": [invocation],
                "results": results,
                "properties": {"knowledgeBase": report.knowledge_base, "asOf": report.as_of.isoformat()},
            }
        ],
    }


def _descriptor(rule: Rule) -> dict[str, Any]:
    sections = [("What it does", rule.what), ("Why is this bad?", rule.why), ("Example", rule.example), ("Fix", rule.fix)]
    if rule.severity_note:
        sections.append(("Severity", rule.severity_note))
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.what},
        "help": {
            "text": "\n\n".join(f"{heading}\n{body}" for heading, body in sections),
            "markdown": "\n\n".join(f"**{heading}**\n\n{body}" for heading, body in sections),
        },
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"tags": ["aws-lambda", "lambda-layer"]},
    }


def _result(finding: Finding, locations: list[dict[str, Any]], index: dict[str, int], seen: dict[tuple[str, str, str], int]) -> dict[str, Any]:
    where = f"{finding.path}: " if finding.path else ""
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "level": _LEVEL[finding.severity],
        "message": {"text": f"{where}{finding.message}\nFix: {finding.fix}"},
        "locations": locations,
        "partialFingerprints": {"layerLintFinding/v1": _fingerprint(finding, locations, seen)},
        "properties": {
            "member": finding.path,
            "layer": finding.layer,
            "name": finding.name,
            "fix": finding.fix,
            "targets": [str(target) for target in finding.targets],
            "data": finding.data,
        },
    }
    if finding.code in index:
        result["ruleIndex"] = index[finding.code]
    return result


def _fingerprint(finding: Finding, locations: list[dict[str, Any]], seen: dict[tuple[str, str, str], int]) -> str:
    # Code scanning matches alerts across runs by fingerprint. Messages carry sizes that change from
    # build to build, so the key is rule, zip and member, plus a counter for repeats of that key.
    # A stack finding is about the stack, not its first zip: keyed on "(stack)", so that the
    # order of the layers or an added --function leaves its alert where it was.
    uri = locations[0]["physicalLocation"]["artifactLocation"]["uri"] if locations and finding.layer != STACK else finding.layer
    key = (finding.code, uri, finding.path or "")
    seen[key] = seen.get(key, 0) + 1
    return hashlib.sha256("\0".join([*key, str(seen[key])]).encode()).hexdigest()[:32]


def _location(layer_path: str, cwd: str, root: str) -> dict[str, Any]:
    relative: Optional[str] = repo_relative(layer_path, cwd, root)
    if relative is not None:
        artifact = {"uri": quote(relative), "uriBaseId": SRCROOT}
    else:
        artifact = {"uri": Path(absolute(layer_path, cwd)).as_uri()}
    return {"physicalLocation": {"artifactLocation": artifact}}
