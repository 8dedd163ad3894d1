import re
from pathlib import Path

from promptops.repo.lint import CODES

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_lint_code_table_lists_every_code_with_its_severity() -> None:
    rows = re.findall(r"^\| (PO\d{3}) \| (error|warning) \|", (DOCS / "commands.md").read_text(), re.M)
    assert dict(rows) == {code: severity for code, (severity, _) in CODES.items()}
