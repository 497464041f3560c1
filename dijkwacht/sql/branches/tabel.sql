-- Whether the KvK extract (table vestigingen) is in this database at all: a database built
-- before the source existed has no such table, and the page says so instead of failing.
SELECT count(*) AS aanwezig
FROM information_schema.tables
WHERE table_name = 'vestigingen' AND table_schema = 'main'
