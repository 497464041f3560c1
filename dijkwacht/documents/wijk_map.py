"""The published wijk map of the factsheet and the briefing snapshot (issue 21).

A static map meant to be printed and put on the municipality's website, so it carries what a
reader needs without the table beside it: each wijk's number and shown value on the map,
classes whose bounds are multiples of 5 (published counts are rounded to 5, so a class never
names a number that cannot be published), a legend that names the wijken whose cell is
hidden, a scale bar, a north arrow and the CBS source line.

The live Kaart page keeps its own drawing (dijkwacht.maps): its classes serve exact,
unrounded figures at buurt level. Only the boundaries (`maps.boundaries`) and the colours
are shared, so the two maps look alike.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from dijkwacht import maps

INK = "#1F2933"
MUTED = "#5F6B76"
FONT_PT = 6                     # the smallest text on the map: still legible in print
MAX_CLASSES = 4
HIDDEN_MARKS = ("x", "<5")
CBS_LINE = "Wijkgrenzen: CBS Wijk- en buurtkaart 2020, CC BY 4.0"


@dataclass(frozen=True)
class Klasse:
    """One class of the map: every shown count from `van` to `tot` (both inclusive)."""
    van: int
    tot: int
    kleur: str

    @property
    def label(self) -> str:
        return str(self.van) if self.van == self.tot else f"{self.van}–{self.tot}"

    def holds(self, v: int) -> bool:
        return self.van <= v <= self.tot


def classes(values, step: int = 5) -> list[Klasse]:
    """Classes for the positive shown counts: lower bounds at multiples of `step`, at most
    MAX_CLASSES, each as wide as the others. When every value is a multiple of `step`
    (published output), a class ends at the last multiple before the next class, so its
    label names only numbers that can appear ("10–20", "25–35"); otherwise at the number
    before the next bound ("5–14")."""
    positive = sorted({int(v) for v in values if v > 0})
    if not positive:
        return []
    rounded = all(v % step == 0 for v in positive)
    low = positive[0] // step * step
    high = positive[-1]
    count = min(MAX_CLASSES, len(positive))
    width = step * math.ceil((high - low + 1) / (count * step))
    bounds = []
    for i in range(count):
        start = low + i * width
        if start > high:
            break
        bounds.append((start, min(start + width - (step if rounded else 1), high)))
    # Colours from the light end for one class, spread over the scale for more.
    palette = {1: (2,), 2: (1, 3), 3: (1, 2, 4), 4: (0, 1, 3, 4)}[len(bounds)]
    return [Klasse(a, b, maps.SEQUENTIAL[palette[i]]) for i, (a, b) in enumerate(bounds)]


def _number(v) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _short(name: str) -> str:
    """"Wijk 05 Het Reeland" → "Het Reeland" (the number is on the map beside it)."""
    parts = name.split(" ", 2)
    return parts[2] if len(parts) == 3 and parts[0] == "Wijk" else name


def _dark(colour: str) -> bool:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.299 * r + 0.587 * g + 0.114 * b < 140


def hidden_wijken(rows: tuple[dict, ...], code: str) -> dict[str, list[str]]:
    """Per mark ("x", "<5"): the wijken (and the row without a location) whose cell it is,
    by number and short name: {"x": ["06 Staart", "Locatie onbekend"]}."""
    out: dict[str, list[str]] = {}
    for r in rows:
        if r[code] in HIDDEN_MARKS:
            name = r["wijk"] if not str(r["wijkcode"]).startswith("WK") else \
                f"{r['wijkcode'][-2:]}\u00a0{_short(r['wijk'])}"
            out.setdefault(r[code], []).append(name.replace(" ", "\u00a0") if len(name) < 24 else name)
    return out


def _listing(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]


def figure(rows: tuple[dict, ...], code: str, title: str, source: str, width_mm: float,
           hidden_meaning: str, attribution: str):
    """The map as a matplotlib Figure, `width_mm` wide (the column the document reserves,
    so its 6-point text stays 6 points on the page). `rows` are already protected wijk
    rows (wijkcode, wijk, `code`: a count, "x", "<5" or None for geen gegevens)."""
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrow, Patch, Rectangle

    shapes = maps.boundaries("wijk").to_crs(28992)          # RD New: metres, true proportions
    by_code = {r["wijkcode"]: r for r in rows}
    values = {c: by_code.get(c, {}).get(code) for c in shapes["code"]}
    shown = [v for v in values.values() if _number(v) is not None]
    klassen = classes(shown)

    def colour(v) -> str:
        if v is None:
            return maps.GEEN_CIJFER
        if v in HIDDEN_MARKS:
            return maps.VERBORGEN
        if v == 0:
            return maps.NUL
        return next(k.kleur for k in klassen if k.holds(v))

    shapes["kleur"] = [colour(values[c]) for c in shapes["code"]]

    # The text under the map first: its number of lines sets the figure's height.
    width = width_mm / 25.4
    chars = int((width * 72 - 6) / (FONT_PT * 0.55))
    names = " · ".join(f"{c[-2:]}\u00a0{_short(n)}" for c, n in zip(shapes["code"], shapes["naam"]))
    notes = [names]
    for mark, wijken in hidden_wijken(rows, code).items():
        notes.append(f"Niet getoond ({mark}): {_listing(wijken)}.")
    notes += [hidden_meaning, source, f"{CBS_LINE} ({attribution})"]
    text = "\n".join(_wrap(n, chars) for n in notes)
    line_in = FONT_PT * 1.2 / 72
    x0, y0, x1, y1 = shapes.total_bounds
    pad = 250
    map_h = width * (y1 - y0 + 2 * pad) / (x1 - x0 + 2 * pad)
    title_h, legend_h = 0.36, 0.22
    notes_h = (text.count("\n") + 1) * line_in + 0.08
    height = title_h + map_h + legend_h + notes_h

    fig = Figure(figsize=(width, height))
    ax = fig.add_axes((0.0, (legend_h + notes_h) / height, 1.0, map_h / height))
    shapes.plot(ax=ax, color=shapes["kleur"], edgecolor="white", linewidth=0.7)
    hidden = shapes[shapes["kleur"] == maps.VERBORGEN]
    if len(hidden):
        hidden.plot(ax=ax, facecolor=maps.VERBORGEN, edgecolor=maps.VERBORGEN_ARCERING, hatch="////",
                    linewidth=0)
        hidden.boundary.plot(ax=ax, color="white", linewidth=0.7)
    for _, shape in shapes.iterrows():
        p = shape.geometry.representative_point()
        v = values[shape["code"]]
        ax.text(p.x, p.y, f"{shape['code'][-2:]}\n{'–' if v is None else v}", fontsize=FONT_PT,
                ha="center", va="center", linespacing=0.95, weight="bold",
                color="white" if _dark(shape["kleur"]) else INK)
    ax.set_axis_off()
    ax.set_aspect("equal")
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)

    # Scale bar (2 km, bottom right) and north arrow (top right): RD New's grid north is
    # true north within a degree here.
    bar = 2000
    bx, by = x1 - bar - 900, y0 + 200
    for i in range(2):
        ax.add_patch(Rectangle((bx + i * bar / 2, by), bar / 2, 130, facecolor=INK if i == 0 else "white",
                               edgecolor=INK, linewidth=0.5))
    for at, label in ((0, "0"), (bar, "2 km")):
        ax.text(bx + at, by + 220, label, fontsize=FONT_PT, ha="center", va="bottom", color=INK)
    nx, ny = x1 - 150, y1 - 1500
    ax.add_patch(FancyArrow(nx, ny, 0, 1000, width=90, head_width=420, head_length=420,
                            length_includes_head=True, color=INK))
    ax.text(nx, ny - 120, "N", fontsize=FONT_PT + 1, ha="center", va="top", color=INK, weight="bold")

    # Legend: the classes, then what the other colours mean.
    handles = [Patch(facecolor=k.kleur, edgecolor="#777", linewidth=0.5, label=k.label) for k in klassen]
    if any(v == 0 for v in values.values()):
        handles.append(Patch(facecolor=maps.NUL, edgecolor="#777", linewidth=0.5, label="0"))
    if any(v is None for v in values.values()):
        handles.append(Patch(facecolor=maps.GEEN_CIJFER, edgecolor="#777", linewidth=0.5, label="geen gegevens"))
    if len(hidden):
        marks = ", ".join(m for m in HIDDEN_MARKS if any(v == m for v in values.values()))
        handles.append(Patch(facecolor=maps.VERBORGEN, edgecolor=maps.VERBORGEN_ARCERING, hatch="////",
                             linewidth=0.5, label=f"niet getoond ({marks})"))
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.01, (legend_h + notes_h - 0.04) / height),
               ncols=len(handles), fontsize=FONT_PT, handlelength=1.2, handletextpad=0.4,
               columnspacing=0.8, borderaxespad=0, frameon=False)
    fig.text(0.01, 1 - 0.04 / height, title, fontsize=8.5, weight="bold", color=INK, ha="left", va="top")
    fig.text(0.01, 1 - 0.22 / height, "Op de kaart: wijknummer en aantal", fontsize=FONT_PT, color=MUTED,
             ha="left", va="top")
    fig.text(0.01, 0.04 / height, text, fontsize=FONT_PT, color=MUTED, ha="left", va="bottom",
             linespacing=1.2)
    return fig


def _wrap(text: str, width: int) -> str:
    import textwrap
    return "\n".join(textwrap.wrap(text, width))
