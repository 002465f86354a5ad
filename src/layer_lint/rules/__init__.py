"""The rule registry: every rule the tool has, in code order.

Adding a rule means adding a `Rule` to one of these modules' RULES lists.
"""

from __future__ import annotations

from ..registry import Rule, check_registry
from . import archive, files, linking, native, paths, size

ALL_RULES: tuple[Rule, ...] = tuple(sorted([*paths.RULES, *native.RULES, *linking.RULES, *size.RULES, *archive.RULES, *files.RULES], key=lambda rule: rule.code))
check_registry(ALL_RULES)

# The rule a crashing check is reported under; it is not selectable.
INTERNAL_ERROR = "LL000"
