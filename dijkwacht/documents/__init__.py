"""The documents Dijkwacht publishes or freezes (issues 11 and 15): the annual factsheet and
the triangle briefing snapshot. Pure Python, no Streamlit: the Factsheet and Briefing pages
(through dijkwacht.app.data), the benchmark and the tests call the same functions.

One module per concern, each importing only those before it:

- `figures`  what a document says: the Factsheet and Snapshot and their builders, the
             publication seams to dijkwacht.privacy, the names and texts of the figures.
- `wijk_map` the published wijk map: classes at multiples of 5, labels, hidden wijken named,
             scale bar, north arrow, CBS source line.
- `charts`   the static matplotlib charts (SVG with text as text, or PNG) and the wijk map.
- `alt`      each chart and map in words: the PDF's alternative texts.
- `pdf`      the A4 layout with Typst (`typst/*.typ`): tagged PDF/UA-1 + PDF/A-2a, and the
             pages as PNG at 300 dpi.
- `xlsx`     the indicator and wijk tables as a spreadsheet (dijkwacht.exports).
- `archive`  publishing into the archive, the register, and the republication check.

Deterministic: the same data gives the same numbers, the same charts and byte-identical
PDFs (Typst with bundled fonts only, dated the data's stand per; no other dates).
Why Typst and not reportlab: docs/publications.md.
"""
