"""The documents Dijkwacht publishes or freezes (issues 11 and 15): the annual factsheet and
the triangle briefing snapshot. Pure Python, no Streamlit: the Factsheet and Briefing pages
(through dijkwacht.app.data), the benchmark and the tests call the same functions.

One module per concern, each importing only those before it:

- `figures`  what a document says: the Factsheet and Snapshot and their builders, the
             publication seams to dijkwacht.privacy, the names and texts of the figures.
- `charts`   the static matplotlib charts, and the wijk map (drawn by dijkwacht.maps.png).
- `pdf`      the A4 layout with reportlab, and a page as PNG.
- `xlsx`     the indicator and wijk tables as a spreadsheet (dijkwacht.exports).
- `archive`  publishing into the archive, the register, and the republication check.

Deterministic: the same data gives the same numbers, the same charts and byte-identical
PDFs (reportlab's invariant mode; no dates but the data's own in the documents).
"""
