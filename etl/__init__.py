"""ETL: partner exports → the served DuckDB database (python -m etl)."""
