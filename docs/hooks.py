"""mkdocs hooks of the docs site (mkdocs.yml names this file).

The docstrings cross-reference in Sphinx's roles (``:func:`draw```), which
mkdocstrings shows as they are written; :func:`on_page_content` turns each into
the name in code, a link where the name is one the reference documents.
"""

from __future__ import annotations

import re
from typing import Any

_ROLE = re.compile(r":(?:func|mod|class|meth|data|attr|exc|obj):<code>(~?)([^<]*)</code>")


def cross_references(html: str) -> str:
    """``html`` with each Sphinx role as its name (``~`` keeping the last part), in code.

    Examples
    --------
    >>> print(cross_references("see :func:<code>~compgraph.draw.draw</code>."))
    see <autoref optional identifier="compgraph.draw.draw"><code>draw</code></autoref>.
    >>> print(cross_references(":class:<code>Gate</code>"))
    <autoref optional identifier="Gate"><code>Gate</code></autoref>
    """

    def shown(match: re.Match[str]) -> str:
        name = match[2]
        text = name.rsplit(".", 1)[-1] if match[1] else name
        return f'<autoref optional identifier="{name}"><code>{text}</code></autoref>'

    return _ROLE.sub(shown, html)


def on_page_content(html: str, **_: Any) -> str:
    """mkdocs' hook: every page's HTML, its roles made names."""
    return cross_references(html)
