"""Week (issue 18): what needs attention now, per wijk, with its follow-up. Analysts and the
steward work the list; the bestuur sees how many items are open per kind, never the items."""
from collections import Counter

import streamlit as st

from dijkwacht import access, followup, formats, week
from dijkwacht.app import auth, data, session, ui

role = auth.current_role()
view = ui.start(role, "Week", page="week", period=False)

counts = data.week_counts(role)
columns = st.columns(len(week.KINDS))
for column, (kind, label) in zip(columns, week.KINDS.items()):
    column.metric(week.KIND_SHORT[kind], formats.number(counts.get(kind, 0)), help=label)
if not access.may(role, "detail"):
    st.caption("Open punten op de werklijst van de veiligheidsafdeling, per soort. De punten zelf "
               "noemen sleutels en zijn alleen voor analisten en de beheerder.")
    st.stop()

found = data.week_open(role, view.buurten)
areas = data.area_options(role)
names = dict(zip(areas["code"], areas["naam"]))
shown = sorted(found, key=lambda pair: pair[0].priority)[:week.SHOWN]
st.caption(f"{formats.number(len(found))} open punten in {view.area} op de stand per "
           f"{formats.day(view.stand_per)}"
           + (f"; de {formats.number(week.SHOWN)} met de hoogste prioriteit staan hieronder" if len(found) > week.SHOWN
              else "")
           + "; afgehandelde punten komen pas terug als er iets nieuws gebeurt.")


def row(item, follow) -> dict:
    return {"Wijk": wijk_name(item.wijk), "Prioriteit": item.priority, "Soort": week.KINDS[item.kind],
            "Waarom": item.line, "Sinds": formats.day(item.since), "Buurt": names.get(item.buurt, ""),
            "Focusgebied": ", ".join(item.focus),
            "Status": f"{follow.status}: {follow.reason}" if follow else "nieuw",
            "Toegewezen aan": (follow.assignee or "") if follow else ""}


def wijk_name(code: str | None) -> str:
    return names.get(code, "Hele stad") if code else "Hele stad"


# One grid, grouped per wijk (the city-wide items first, then each wijk by its most urgent
# item), not a grid per wijk: each grid is drawn on its own canvas, and a dozen of them made
# the page's second visit ~0.1 s slower in Chromium (docs/benchmarks.md).
best: dict[str | None, int] = {}
for item, _ in found:
    best[item.wijk] = min(best.get(item.wijk, item.priority), item.priority)
order = sorted(best, key=lambda wijk: (wijk is not None, best[wijk], wijk or ""))
if found:
    per_wijk = Counter(item.wijk for item, _ in found)
    st.caption("Open per wijk: " + " · ".join(f"{wijk_name(w)} {formats.number(per_wijk[w])}" for w in order))
    place = {wijk: i for i, wijk in enumerate(order)}
    grouped = sorted(shown, key=lambda pair: (place[pair[0].wijk], pair[0].priority))
    st.dataframe([row(i, f) for i, f in grouped], hide_index=True, key="week-punten")

st.subheader("Opvolgen")
SAVED_KEY = "week_opgeslagen"              # the outcome of the last save, shown for one run
if saved := st.session_state.pop(SAVED_KEY, None):
    st.success(saved)
if not found:
    st.info("Er staat niets open op de werklijst.")
else:
    by_id = {item.id: (item, follow) for item, follow in shown}
    chosen = st.selectbox("Punt", list(by_id), format_func=lambda i: f"P{by_id[i][0].priority} · {by_id[i][0].line}")
    item, follow = by_id[chosen]
    st.caption(f"**Waarom op deze plek:** {ui.md(item.explanation)}"
               + (f"  \n**Koppelt aan:** {ui.md(', '.join(item.links))}" if item.links else "")
               + (f"  \n**Nu:** {follow.status} ({follow.reason}), door {ui.md(follow.actor)} op "
                  f"{formats.local_moment(follow.at)}" if follow else ""))
    people = data.week_assignees(role)
    me = session.user()
    left, middle, right = st.columns(3)
    assignee = left.selectbox("Toegewezen aan", [None, *people], key=f"wie-{chosen}",
                              index=([None, *people].index(follow.assignee) if follow and follow.assignee in people
                                     else ([None, *people].index(me) if me in people else 0)),
                              format_func=lambda n: n or "niemand")
    status = middle.selectbox("Status", followup.STATUSES, key=f"status-{chosen}",
                              index=followup.STATUSES.index(follow.status) if follow else 0)
    reason = right.selectbox("Reden", followup.reasons(status), key=f"reden-{chosen}-{status}")
    if st.button("Opslaan", type="primary", key=f"opslaan-{chosen}"):
        try:
            changed = data.follow_up(role, item, status=status, reason=reason, assignee=assignee)
        except ValueError as exc:
            st.error(str(exc))
        else:
            st.session_state[SAVED_KEY] = (f"Opgeslagen: {status} ({reason})." if changed else
                                           "Niets veranderd: dit punt had deze status, reden en toewijzing al.")
            st.rerun()

closed = data.week_closed(role)
with st.expander(f"Afgehandeld ({formats.number(len(closed))}): van de lijst tot er iets nieuws gebeurt"):
    st.dataframe([{"Soort": week.KINDS[i.kind], "Waarom": i.line, "Status": f"{f.status}: {f.reason}",
                   "Door": f.actor, "Op": formats.local_moment(f.at)} for i, f in closed[:week.SHOWN]],
                 hide_index=True, key="week-afgehandeld")
