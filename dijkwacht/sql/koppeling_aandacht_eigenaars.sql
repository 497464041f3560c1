-- The owners of the addresses of the attention list's new records (is their owner known?):
-- the ownership pairs of those addresses, from the per-key index built at load.
-- Key-level data: "detail" permission only.
WITH nieuwe_adressen AS (
    SELECT DISTINCT adres_sleutel AS sleutel FROM koppeling_gebeurtenissen
    WHERE datum > CAST($sinds AS DATE) AND bron <> 'eigendommen' AND adres_sleutel IS NOT NULL
)
SELECT e.adres_sleutel, e.persoon_sleutel
FROM koppeling_index i JOIN koppeling_gebeurtenissen e ON e.rij = i.rij
WHERE i.sleutel_soort = 'adres' AND i.bron = 'eigendommen'
  AND i.sleutel IN (SELECT sleutel FROM nieuwe_adressen)
ORDER BY i.rij
