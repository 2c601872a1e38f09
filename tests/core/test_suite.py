"""Rules of the test suite itself, which runs on several workers (pytest-xdist): a test
module may be collected on any worker, alone, in any order."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def imported_modules(source: str) -> list[str]:
    modules = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.append(node.module)
        elif isinstance(node, ast.Import):
            modules.extend(alias.name for alias in node.names)
    return modules


def test_helpers_come_from_conftest_or_helper_modules_never_from_another_test_module():
    offenders = [f"{path.relative_to(TESTS.parent)}: {module}"
                 for path in sorted(TESTS.rglob("*.py"))
                 for module in imported_modules(path.read_text(encoding="utf-8"))
                 if module.startswith("tests.") and module.rsplit(".", 1)[-1].startswith("test_")]

    assert offenders == []
