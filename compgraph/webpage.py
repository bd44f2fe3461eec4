"""What every page compgraph writes shares: one self-contained HTML file.

The styles and scripts are inlined and a Content-Security-Policy lets the page
fetch nothing (no network request, no file beside it); its data is embedded as
JSON that cannot end the script holding it. :mod:`compgraph.exercise`'s
HTML worksheet is written so.

Examples
--------
>>> text = document("A <page>", "<p>hi</p>", style="p { color: red; }",
...                 data={"name": "</script>"}, script="console.log(1);")
>>> text.count("</script>")  # the data's and the script's own ends, nothing else
2
>>> "<title>A &lt;page&gt;</title>" in text, "default-src 'none'" in text
(True, True)
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

__all__ = ["CONTENT_POLICY", "DATA_ID", "document", "script_json"]

#: The page may run its own inline script and styles and show inline images; nothing else.
CONTENT_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"
)
#: The id of the ``<script type="application/json">`` element holding a page's data.
DATA_ID = "compgraph-data"


def script_json(data: Any) -> str:
    """``data`` as JSON to put inside a ``<script>`` element: every ``<`` as
    ``\\u003c``, so no ``</script>`` or ``<!--`` inside can end it early, and
    ``&`` as ``\\u0026`` (JSON reads both back as they were).

    Examples
    --------
    >>> script_json({"name": "</script><b>x & y"})
    '{"name": "\\\\u003c/script>\\\\u003cb>x \\\\u0026 y"}'
    >>> json.loads(script_json(["</script>"]))
    ['</script>']
    """
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace("&", "\\u0026")


def document(
    title: str,
    body: str,
    *,
    style: str,
    data: Any,
    script: str,
) -> str:
    """One HTML page: ``title`` (escaped here), ``body`` (HTML, escaped by the
    caller), the inlined ``style``, ``data`` embedded as JSON in the element
    :data:`DATA_ID` (the script reads it with ``JSON.parse``), and ``script``
    last, under the page's :data:`CONTENT_POLICY`."""
    return _PAGE.format(
        policy=CONTENT_POLICY,
        title=escape(title),
        style=style,
        body=body,
        data_id=DATA_ID,
        data=script_json(data),
        script=script,
    )


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
{body}
<script id="{data_id}" type="application/json">{data}</script>
<script>{script}</script>
</body>
</html>
"""
