-- The one-row description of the served database.
SELECT schema_versie, demo, gemeente_code, gemeente_naam, load_id, gebouwd_op, stand_per
FROM meta
