"""Chart downloads (issue 21, item 4): the analysis pages' charts as PNG and SVG with their
summary and source line in the image, rendered by plotly's kaleido in the real Chromium, for
the roles that may export only."""
from __future__ import annotations

import io
import re
from xml.etree import ElementTree

import pytest
from apptest_support import app_for

from dijkwacht import chart_export, charts

pytestmark = pytest.mark.skipif(not chart_export.available(),
                                reason="geen Chromium: grafiekexport wordt niet aangeboden")

SUMMARY = "Ontmantelde hennepkwekerijen per wijk: de meeste in Wijk 03 Krispijn (12)"
SOURCE = ("Bron: politie en Omgevingsdienst (ontmantelde hennepkwekerijen, stand per 30 okt 2026). "
          "Periode 1 jan 2025 – 31 dec 2025, Hele stad.")


def bar_chart():
    import polars as pl
    frame = pl.DataFrame({"wijk": ["Wijk 03 Krispijn", "Wijk 01 Binnenstad"], "aantal": [12, 1234]})
    return charts.bars(frame, "wijk", "aantal")


def svg_texts(data: bytes) -> list[str]:
    root = ElementTree.fromstring(data)
    return ["".join(t.itertext()) for t in root.iter() if t.tag.endswith("}text") or t.tag == "text"]


def test_svg_holds_the_summary_source_and_labels_as_text():
    texts = " ".join(svg_texts(chart_export.image(bar_chart(), "svg", SUMMARY, SOURCE)))
    assert "Wijk 03 Krispijn" in texts                       # a category label, as text
    assert "meeste in Wijk 03" in texts                      # the summary is the title
    assert "stand per 30 okt 2026" in texts                  # the source line is in the image
    assert "1.234" in texts or "1.200" in texts or "1.000" in texts   # Dutch thousands on the axis


def test_png_is_the_export_size_at_double_scale():
    from PIL import Image

    data = chart_export.image(bar_chart(), "png", SUMMARY, SOURCE)
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (chart_export.WIDTH * chart_export.PNG_SCALE,
                              chart_export.HEIGHT * chart_export.PNG_SCALE)


def test_a_long_source_line_wraps_and_moves_the_margin():
    short = chart_export.framed(bar_chart(), SUMMARY, SOURCE)
    long = chart_export.framed(bar_chart(), SUMMARY, SOURCE * 4)
    assert long.layout.annotations[-1].text.count("<br>") >= 2
    assert long.layout.margin.b > short.layout.margin.b


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="beeldformaat"):
        chart_export.image(bar_chart(), "gif", SUMMARY, SOURCE)


@pytest.mark.parametrize("script", ["pages/hennep.py", "pages/trends.py", "pages/meldpunt.py"])
def test_analyst_gets_png_and_svg_per_chart_and_the_mayor_none(served_demo, script):
    analist = app_for("analist", script).run()
    keys = [b.key for b in analist.get("download_button")]
    charts_png = {k[:-4] for k in keys if k.endswith("_png")}
    charts_svg = {k[:-4] for k in keys if k.endswith("_svg")}
    assert charts_png and charts_png == charts_svg
    assert len(charts_png) == len(analist.get("plotly_chart"))         # every chart, once
    if script == "pages/trends.py":
        bestuur = app_for("bestuur", script).run()
        assert bestuur.get("plotly_chart")
        assert not [b.key for b in bestuur.get("download_button") if re.search(r"_(png|svg)$", b.key)]
