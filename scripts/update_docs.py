"""Regenerate docs/rules.md and the README's rules table from the rule registry.

Run after changing a rule: python scripts/update_docs.py (tests/test_registry.py fails while they are stale).
"""

from pathlib import Path

from layer_lint.render import markdown
from layer_lint.rules import ALL_RULES

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    (ROOT / "docs" / "rules.md").write_text(markdown.rules_document(ALL_RULES))
    readme = ROOT / "README.md"
    text = readme.read_text()
    start = text.index(markdown.README_BEGIN) + len(markdown.README_BEGIN)
    end = text.index(markdown.README_END)
    readme.write_text(text[:start] + "\n" + markdown.rules_table(ALL_RULES) + text[end:])


if __name__ == "__main__":
    main()
