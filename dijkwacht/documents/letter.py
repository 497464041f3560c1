"""The edition's accompanying text (the programme's *kort begeleidend schrijven*, issue 21):
a short Dutch text an analyst writes for one factsheet edition. It is printed on page 2 of
the factsheet ("Bij deze editie", before the sources: page 1 is full) and archived beside
the PDF as a `.txt` file, so its SHA-256 is in the register row like every other file of
the edition.

Plain text only: paragraphs separated by an empty line, no markup (the layout sets it as
text, so nothing in it can change the document). Short: page 2 has room for about seven
lines without running onto a third page.
"""
from __future__ import annotations

import re

MAX_CHARS = 500
MAX_PARAGRAPHS = 3         # each starts a line: many short ones take as much room as long ones
EXTENSION = "txt"


class TeLang(ValueError):
    """The text does not fit on the factsheet's first page."""


def clean(text: str | None) -> str | None:
    """The text as it will be printed and archived: trimmed, line ends unified, runs of
    spaces and of empty lines collapsed; None when empty. Raises TeLang (Dutch message)
    above MAX_CHARS or MAX_PARAGRAPHS."""
    if text is None:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if not text:
        return None
    if len(text) > MAX_CHARS:
        raise TeLang(f"De begeleidende tekst is {len(text)} tekens; er passen er {MAX_CHARS} op de "
                     "factsheet. Maak hem korter.")
    if text.count("\n\n") >= MAX_PARAGRAPHS:
        raise TeLang(f"De begeleidende tekst heeft {text.count(chr(10) * 2) + 1} alinea's; er passen er "
                     f"{MAX_PARAGRAPHS} op de factsheet. Maak hem korter.")
    return text


def paragraphs(text: str | None) -> list[str]:
    """The paragraphs as the layout prints them (a single line break joins lines)."""
    text = clean(text)
    return [" ".join(p.split("\n")) for p in text.split("\n\n")] if text else []


def file_bytes(text: str | None) -> dict[str, bytes]:
    """The archive file of the text ({"txt": UTF-8}), or nothing when there is no text."""
    text = clean(text)
    return {EXTENSION: (text + "\n").encode("utf-8")} if text else {}
