"""The Week page in a real browser (issue 18): an analyst assigns an item to herself, marks
it handled with a reason, reloads, and finds it off the list and under "Afgehandeld"; the
steward sees the change in the audit log."""
from __future__ import annotations

import re

import browser_harness as h
import pytest

if not h.chromium_available():
    pytest.skip(h.SKIP_REASON, allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="browserlaag overgeslagen: playwright niet geïnstalleerd")

pytestmark = [pytest.mark.browser]


def _box(page, label: str):
    return page.locator("[data-testid='stSelectbox']").filter(has=page.get_by_text(label, exact=True))


def _open(page, label: str):
    """Open the selectbox's list (as the every-control walk does: click, else the keyboard)
    and return its options."""
    field = _box(page, label).locator("input")
    options = page.locator("[role='listbox'] [role='option']")
    for attempt in range(4):
        if attempt % 2:
            field.focus()
            page.keyboard.press("ArrowDown")
        else:
            field.click()
        try:
            options.first.wait_for(state="visible", timeout=5_000)
            return options
        except Exception:  # noqa: BLE001 — a playwright timeout: not open yet, try again
            page.keyboard.press("Escape")
    raise AssertionError(f"the list of {label!r} does not open")


def options_of(page, label: str) -> list[str]:
    names = [t.strip() for t in _open(page, label).all_inner_texts()]
    page.keyboard.press("Escape")
    return names


def choose(page, label: str, option: str) -> None:
    """Pick `option` in the selectbox labelled `label`."""
    options = _open(page, label)
    names = [t.strip() for t in options.all_inner_texts()]
    assert option in names, f"{label}: {option!r} not in {names}"
    with h.new_run(page):
        options.nth(names.index(option)).click()


def chosen(page, label: str) -> str:
    return _box(page, label).locator("input").input_value()


def handled_count(page) -> int:
    label = page.locator("[data-testid='stExpander'] summary").filter(has_text="Afgehandeld").inner_text()
    return int(re.search(r"\((\d+)\)", label).group(1))


def test_an_analyst_handles_an_item_and_it_stays_handled(tmp_path, browser):
    with h.running_server(tmp_path) as server:
        context = h.new_context(browser)
        page = h.signed_in_page(context, server, "analist")
        page.goto(f"{server.url}/week")
        h.wait_for_app(page)
        item = chosen(page, "Punt")
        assert item.startswith("P1 · "), item
        assert handled_count(page) == 0

        name = server.accounts["analist"][0]
        choose(page, "Toegewezen aan", name)
        choose(page, "Status", "afgehandeld")
        choose(page, "Reden", "maatregel genomen")
        with h.new_run(page):
            page.get_by_role("button", name="Opslaan").click()

        page.reload()
        h.wait_for_app(page)
        assert handled_count(page) == 1
        assert chosen(page, "Punt") != item              # the next item is on top now
        assert item not in options_of(page, "Punt")

        from dijkwacht import audit, state
        con = state.connect(server.state)
        try:
            rows = [r for r in audit.query(con, actie="opvolging", limit=20)]
        finally:
            con.close()
        assert len(rows) == 1 and rows[0]["actor"] == name and "afgehandeld" in rows[0]["filters"]
        context.close()
