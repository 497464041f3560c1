"""The security department's work list at load (issue 17): the kinds of item that depend on
the data and on [week] only (dijkwacht.week.data_items) are made in every new database
before it is published, beside the stand per and the settings they were made with, so the
dashboard reads them instead of reading every event in the window on a request (at ×1000
6.9 s and 1.9 GB once per publication). Late deliveries move with the clock and are added
by week.items on the day; a list made with other settings is not used (week.stored_items).
"""
from __future__ import annotations

import duckdb
import polars as pl

from dijkwacht import config, queries, week
from etl.linkage_tables import write_frame

STORE_LIST = "CREATE OR REPLACE TABLE weeklijst AS SELECT * FROM _nieuw"
STORE_BUILT = "CREATE OR REPLACE TABLE weeklijst_bouw AS SELECT * FROM _nieuw"
DROP = ("DROP TABLE IF EXISTS weeklijst_bouw", "DROP TABLE IF EXISTS weeklijst")


def build_week_list(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)build the stored work list from the loaded rows, after the Koppelingen tables (the
    known keys read them). With [week] of gemeente.toml wrong there is none: the dashboard
    then says what is wrong, as before, instead of using a list made with other rules."""
    try:
        settings = config.week()
    except config.WeekSettingsError:
        for statement in DROP:
            con.execute(statement)
        return
    db = queries.OnConnection(con)
    stand_per = week.stand_per_of(db)
    found = week.data_items(db, stand_per, settings) if stand_per is not None else []
    write_frame(con, STORE_LIST, week.as_frame(found))
    built = pl.DataFrame({"stand_per": [stand_per], "instellingen": [week.settings_stamp(settings)]},
                         schema={"stand_per": pl.Date, "instellingen": pl.String})
    write_frame(con, STORE_BUILT, built)
