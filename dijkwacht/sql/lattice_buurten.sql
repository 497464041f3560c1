-- The buurten (land and 2024-only codes) with their wijk: the atoms of the bestuur
-- protection (dijkwacht/lattice.py).
SELECT buurtcode, wijkcode, in_2020 FROM buurten WHERE NOT water ORDER BY buurtcode
