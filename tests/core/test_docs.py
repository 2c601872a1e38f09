"""The repository stands alone: a reader who has only this checkout finds every
document it refers to inside it. Nothing points outside the repository, every
``docs/domain.md §N`` a module cites exists, every relative link of the Markdown docs
resolves, and README's layout names every app."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("src", "tests", "docs", "bench", ".ci", "README.md", "Makefile", "pyproject.toml")
SKIPPED_DIRS = {"__pycache__", ".venv", "var", "node_modules", ".pytest_cache", ".ruff_cache",
                ".hypothesis", "out"}
# The documents the project was started from live outside the repository; spelled in
# pieces so that this file does not name them itself.
OUTSIDE = re.compile(r"\.\./" + "shared" + r"|\b(?:" + "|".join(("DESIGN", "DOMAIN", "STYLE")) + r")\.md\b")
DOMAIN_REF = re.compile(r"docs/domain\.md,? ((?:§\d+(?:, )?)+)")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _text_files():
    for name in SCANNED:
        path = ROOT / name
        if path.is_file():
            yield path
            continue
        for found in sorted(path.rglob("*")):
            if found.is_file() and not SKIPPED_DIRS & set(found.relative_to(ROOT).parts):
                yield found


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:  # images, compiled catalogs
        return None


def test_nothing_refers_to_documents_outside_the_repository():
    offending = []
    for path in _text_files():
        text = _read(path)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if OUTSIDE.search(line):
                offending.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offending == []


def _domain_sections() -> set[str]:
    text = (ROOT / "docs" / "domain.md").read_text(encoding="utf-8")
    return set(re.findall(r"^## (\d+)\. ", text, flags=re.MULTILINE))


def test_every_cited_section_of_the_domain_rules_exists():
    sections = _domain_sections()
    assert sections == {str(n) for n in range(1, len(sections) + 1)}
    cited = []
    for path in _text_files():
        text = _read(path) or ""
        for match in DOMAIN_REF.finditer(text):
            cited += [(path.relative_to(ROOT), n) for n in re.findall(r"\d+", match.group(1))]
    assert cited, "the modules cite the domain rules by section"
    assert [(str(path), n) for path, n in cited if n not in sections] == []


def test_relative_links_of_the_docs_resolve():
    broken = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        for target in LINK.findall(path.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            file = target.split("#", 1)[0]
            if not (path.parent / file).exists():
                broken.append(f"{path.relative_to(ROOT)}: {target}")
    assert broken == []


def test_the_readme_layout_names_every_app():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Layout", 1)[1]
    apps = sorted(p.parent.name for p in (ROOT / "src" / "opora").glob("*/apps.py"))
    assert apps, "the apps are found"
    assert [app for app in apps if not re.search(rf"^\s+{app}/", layout, flags=re.MULTILINE)] == []
    for folder in ("tests/", "bench/", "docs/"):
        assert re.search(rf"^{folder}", layout, flags=re.MULTILINE), folder
