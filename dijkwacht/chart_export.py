"""Chart downloads (PNG and SVG) of the analysis pages' plotly charts (issue 21, item 4).

Pure (no Streamlit). The image carries the chart's one-line summary as its title and the
page's source caption under it, so a chart never travels without its source and period.
Plotly renders it with kaleido, which drives the server's Chromium: one browser is started
on the first download and kept for the process (a render then takes about 0.25 s instead of
2 s). Without a Chromium the pages offer no chart downloads and say why (`available`), and
so does a server where Chromium cannot run: V8 needs writable and executable memory, which
the hardened service forbids (deploy/dijkwacht-dashboard.service sets
DIJKWACHT_GRAFIEKEXPORT=uit); a render that hangs gives up after RENDER_TIMEOUT_S.
"""
from __future__ import annotations

import functools
import os
import shutil
import textwrap
import threading
import warnings

import plotly.graph_objects as go

WIDTH, HEIGHT = 1200, 675          # 16:9, the size a slide or a web page takes
PNG_SCALE = 2                      # 2400 × 1350 px: sharp in print and on a retina screen
SOURCE_WRAP = 150                  # characters per line of the source line at 12 px
FORMATS = {"png": "image/png", "svg": "image/svg+xml"}
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
SWITCH = "DIJKWACHT_GRAFIEKEXPORT"     # "uit": no chart downloads on this server
RENDER_TIMEOUT_S = 30

_lock = threading.Lock()
_started = False
_broken: str | None = None          # set once Chromium did not answer: no more tries


@functools.cache
def browser() -> str | None:
    """The Chromium kaleido will drive (BROWSER_PATH first, as kaleido's own finder does);
    looked up once per process: every chart of every run asks."""
    explicit = os.environ.get("BROWSER_PATH")
    if explicit and shutil.which(explicit):
        return shutil.which(explicit)
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def available() -> bool:
    switched_off = os.environ.get(SWITCH, "").strip().lower() in ("uit", "0", "nee", "false")
    return not switched_off and _broken is None and browser() is not None


def unavailable_reason() -> str:
    """Why a page offers no chart downloads, in Dutch."""
    if _broken:
        return _broken
    if browser() is None:
        return "Grafiek downloaden kan niet: de server heeft geen Chromium (zie README)."
    return "Grafiek downloaden staat uit op deze server."


def _lines(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width, break_long_words=False) or [""]


def framed(fig: go.Figure, summary: str, source: str) -> go.Figure:
    """A copy of `fig` at export size, titled with its summary and with the source line below."""
    out = go.Figure(fig)
    title = "<br>".join(_lines(summary, 110))
    source_lines = _lines(source, SOURCE_WRAP)
    bottom = 40 + 16 * len(source_lines)
    out.update_layout(
        width=WIDTH, height=HEIGHT, separators=",.", paper_bgcolor="white",
        title={"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 18}},
        margin={"l": 60, "r": 30, "t": 60 + 22 * title.count("<br>"), "b": bottom},
    )
    out.add_annotation(text="<br>".join(source_lines), xref="paper", yref="paper", x=0, y=0,
                       yshift=-bottom + 8, xanchor="left", yanchor="bottom", align="left",
                       showarrow=False, font={"size": 12, "color": "#555555"})
    return out


def image(fig: go.Figure, fmt: str, summary: str, source: str) -> bytes:
    """The chart as PNG or SVG bytes (SVG keeps its text as <text>, so it stays editable).
    Rendered in a worker thread: a Chromium that never answers (it hangs at start where W+X
    memory is forbidden) costs one wait, after which this server offers no chart downloads."""
    global _broken
    if fmt not in FORMATS:
        raise ValueError(f"onbekend beeldformaat: {fmt}")
    if _broken:
        raise RuntimeError(_broken)
    result: dict = {}

    def work() -> None:
        try:
            result["bytes"] = _render(fig, fmt, summary, source)
        except Exception as exc:  # noqa: BLE001 — handed to the caller below
            result["error"] = exc

    worker = threading.Thread(target=work, name="dijkwacht-grafiek", daemon=True)
    worker.start()
    worker.join(2 * RENDER_TIMEOUT_S)
    if worker.is_alive():
        _broken = "Grafiek downloaden kan niet: Chromium reageert niet op deze server."
        raise TimeoutError(_broken)
    if "error" in result:
        raise result["error"]
    return result["bytes"]


def _render(fig: go.Figure, fmt: str, summary: str, source: str) -> bytes:
    import kaleido

    global _started
    # one render at a time through the one browser; a stuck one never blocks the next forever
    if not _lock.acquire(timeout=2 * RENDER_TIMEOUT_S):
        raise TimeoutError("grafiekexport: een eerdere grafiek is nog niet klaar")
    try:
        if not _started:           # no MathJax: it would be fetched from a CDN
            kaleido.start_sync_server(silence_warnings=True, timeout=RENDER_TIMEOUT_S, mathjax=False)
            _started = True
        with warnings.catch_warnings():
            # plotly passes its default browser options, which a running server ignores
            warnings.filterwarnings("ignore", message="The kopts argument is ignored")
            return framed(fig, summary, source).to_image(
                format=fmt, width=WIDTH, height=HEIGHT, scale=PNG_SCALE if fmt == "png" else 1)
    finally:
        _lock.release()
