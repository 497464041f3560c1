-- Per map layer and buurt: the count in [$van, $tot), and for penalty orders the amount.
-- buurtcode NULL = location unknown; a 2024-only code is kept (the map counts it in its wijk).
-- Layers: the four sources, and the measures taken after grow sites and inspections
-- (closures, penalty orders, warnings) and the Bibob screenings and refusals.
-- $thema as in reeks.sql: NULL = all; grow sites count as hennep, suspicious transactions as
-- witwassen, inspections by their findings.
WITH rijen AS (
    SELECT 'hennepkwekerijen' AS bron, datum_ontmanteling AS datum, buurtcode, maatregel,
           NULL::VARCHAR AS soort, NULL::VARCHAR AS uitkomst, NULL::DOUBLE AS bedrag
    FROM hennepkwekerijen
    WHERE $thema::VARCHAR IS NULL OR $thema::VARCHAR = 'hennep'
    UNION ALL
    SELECT 'verdachte_transacties', datum, buurtcode, NULL, NULL, NULL, NULL
    FROM verdachte_transacties
    WHERE $thema::VARCHAR IS NULL OR $thema::VARCHAR = 'witwassen'
    UNION ALL
    SELECT 'signalen', CAST(ontvangen_op AS DATE), buurtcode, NULL, NULL, NULL, NULL
    FROM signalen
    WHERE $thema::VARCHAR IS NULL OR thema = $thema::VARCHAR
    UNION ALL
    SELECT 'controles', datum, buurtcode, maatregel, soort, uitkomst, CAST(bedrag_dwangsom AS DOUBLE)
    FROM controles
    WHERE $thema::VARCHAR IS NULL OR list_has_any(coalesce(bevindingen, []), CASE $thema::VARCHAR
        WHEN 'hennep' THEN ['drugs'] WHEN 'drugshandel' THEN ['drugs']
        WHEN 'illegaal gokken' THEN ['illegaal gokken'] WHEN 'omg' THEN ['omg-kenmerken']
        WHEN 'uitkeringsfraude' THEN ['onjuiste brp-inschrijving']
        WHEN 'vastgoedfraude' THEN ['schijnbeheer', 'illegale bewoning']
        WHEN 'overig' THEN ['overig'] ELSE []::VARCHAR[] END)
), periode AS (
    SELECT * FROM rijen WHERE datum >= $van AND datum < $tot
), lagen AS (
    SELECT bron AS laag, buurtcode, NULL::DOUBLE AS bedrag FROM periode
    UNION ALL SELECT 'sluitingen', buurtcode, NULL FROM periode WHERE maatregel = 'sluiting'
    UNION ALL SELECT 'dwangsommen', buurtcode, bedrag FROM periode WHERE maatregel = 'last onder dwangsom'
    UNION ALL SELECT 'waarschuwingen', buurtcode, NULL FROM periode WHERE maatregel = 'bestuurlijke waarschuwing'
    UNION ALL SELECT 'bibob_toetsen', buurtcode, NULL FROM periode WHERE soort = 'bibob-toets'
    UNION ALL SELECT 'bibob_geweigerd', buurtcode, NULL FROM periode
              WHERE uitkomst IN ('bibob: geweigerd', 'bibob: ingetrokken')
)
SELECT laag, buurtcode, count(*) AS aantal, sum(bedrag) AS bedrag
FROM lagen
GROUP BY ALL
ORDER BY laag, buurtcode
