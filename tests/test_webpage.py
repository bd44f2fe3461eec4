"""The pages' shared mechanics: data that cannot end its script, a policy that fetches nothing."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from compgraph.webpage import CONTENT_POLICY, DATA_ID, document, script_json


@given(st.recursive(st.text(), lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)))
def test_any_data_reads_back_and_never_ends_its_script(data: object) -> None:
    text = script_json(data)
    assert "<" not in text and "&" not in text
    assert json.loads(text) == data


def test_a_page_holds_its_data_style_and_script_and_fetches_nothing() -> None:
    page = document(
        "f = (x + y) z & <more>",
        "<main>body</main>",
        style="main { color: red; }",
        data={"name": "</script><script>alert(1)</script>"},
        script="window.ran = true;",
    )
    assert page.count("</script>") == 2 and page.count("<script") == 2
    assert "<title>f = (x + y) z &amp; &lt;more&gt;</title>" in page
    assert f'content="{CONTENT_POLICY}"' in page and "default-src 'none'" in CONTENT_POLICY
    opening = f'<script id="{DATA_ID}" type="application/json">'
    data = json.loads(page.split(opening)[1].split("</script>")[0])
    assert data == {"name": "</script><script>alert(1)</script>"}
    assert "<style>main { color: red; }</style>" in page and "<main>body</main>" in page
    assert "http" not in page.replace("http-equiv", "")  # nothing to fetch
