"""The docs site's sources: every page and every public module in mkdocs.yml's nav.

``mkdocs build --strict`` in ``.ci/run`` builds the site itself (too slow for the
suite); these checks say which page or module was left out.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
NAV = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")


def public_modules() -> list[str]:
    """Every module of compgraph and gates whose name has no leading underscore."""
    found = []
    for package in ("compgraph", "gates"):
        for path in sorted((ROOT / package).glob("*.py")):
            if not path.stem.startswith("_"):
                found.append(f"{package}.{path.stem}")
    return [*found, "compgraph.cli"]  # the command line's package: its submodules on one page


def test_every_page_is_in_the_nav() -> None:
    pages = sorted(str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md"))
    assert "index.md" in pages and "api.md" in pages
    missing = [page for page in pages if not re.search(rf"^\s+- (.+: )?{page}$", NAV, re.M)]
    assert missing == []


@pytest.mark.parametrize("module", public_modules())
def test_every_public_module_has_a_reference_page(module: str) -> None:
    page = DOCS / "reference" / f"{module}.md"
    assert page.is_file(), f"no docs/reference/{module}.md"
    assert f"\n::: {module}\n" in page.read_text(encoding="utf-8")
    assert f"({module}.md)" in (DOCS / "reference" / "index.md").read_text(encoding="utf-8")


def test_the_readme_points_into_the_repository() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "shared folder" not in readme
    for target in re.findall(r"\]\(([^)#]+)", readme):
        if not target.startswith("http"):
            assert (ROOT / target).exists(), target
    assert "(docs/api.md)" in readme
