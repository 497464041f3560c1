-- Whether the database holds the work list stored at load (etl/week_list.py): one row, or
-- none in a database built before it was.
SELECT table_name FROM duckdb_tables() WHERE table_name = 'weeklijst_bouw'
