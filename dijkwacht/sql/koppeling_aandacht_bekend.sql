-- Were the keys of the attention list's new records known on $sinds (linkage.attention_list)?
-- For each key of a new record, and each owner of a new record's address: per source, how
-- many of its records on or before $sinds make a key known and the last of their dates.
-- Counts, not the records: a key with a thousand earlier records is a row per source here
-- (at ×1000 the records were 4 GB on a Briefing request, docs/benchmarks.md).
-- Which records make a key known is linkage._known_record, bound as $kennende_bronnen,
-- $overtreding, $maatregelen and $bibob_geweigerd (linkage.known_record_params).
-- Key-level data: "detail" permission only.
WITH nieuw AS (
    SELECT adres_sleutel, persoon_sleutel FROM koppeling_gebeurtenissen
    WHERE datum > CAST($sinds AS DATE) AND bron <> 'eigendommen'
), eigenaars AS (
    SELECT e.persoon_sleutel AS sleutel
    FROM koppeling_index i JOIN koppeling_gebeurtenissen e ON e.rij = i.rij
    WHERE i.sleutel_soort = 'adres' AND i.bron = 'eigendommen' AND e.persoon_sleutel IS NOT NULL
      AND i.sleutel IN (SELECT adres_sleutel FROM nieuw)
), sleutels AS (
    SELECT DISTINCT adres_sleutel AS sleutel, 'adres' AS sleutel_soort FROM nieuw WHERE adres_sleutel IS NOT NULL
    UNION
    SELECT DISTINCT persoon_sleutel, 'persoon' FROM nieuw WHERE persoon_sleutel IS NOT NULL
    UNION
    SELECT sleutel, 'persoon' FROM eigenaars
), eerder AS (
    SELECT i.sleutel, i.sleutel_soort, i.bron, i.datum, i.rij
    FROM koppeling_index i SEMI JOIN sleutels s ON s.sleutel = i.sleutel AND s.sleutel_soort = i.sleutel_soort
    WHERE i.bron <> 'eigendommen' AND i.datum <= CAST($sinds AS DATE)
)
SELECT r.sleutel, r.sleutel_soort, r.bron, count(*)::UINTEGER AS aantal, max(r.datum) AS laatst
FROM eerder r LEFT JOIN koppeling_gebeurtenissen e ON r.bron = 'controles' AND e.rij = r.rij
WHERE list_contains($kennende_bronnen, r.bron)
   OR (r.bron = 'controles' AND (coalesce(e.uitkomst = $overtreding, false)
                                 OR coalesce(list_contains($maatregelen, e.maatregel), false)
                                 OR coalesce(list_contains($bibob_geweigerd, e.uitkomst), false)))
GROUP BY r.sleutel, r.sleutel_soort, r.bron
ORDER BY r.sleutel, r.sleutel_soort, r.bron
