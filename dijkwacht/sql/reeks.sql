-- Counts per source (and per theme for signals) per month, quarter or year in [$van, $tot).
-- $korrel: 'maand' | 'kwartaal' | 'jaar'. $thema NULL = all themes; grow sites count as
-- theme hennep, suspicious transactions as witwassen, inspections by their findings.
WITH rijen AS (
    SELECT 'hennepkwekerijen' AS bron, 'hennep' AS thema, datum_ontmanteling AS datum, buurtcode
    FROM hennepkwekerijen
    WHERE $thema::VARCHAR IS NULL OR $thema::VARCHAR = 'hennep'
    UNION ALL
    SELECT 'verdachte_transacties', 'witwassen', datum, buurtcode
    FROM verdachte_transacties
    WHERE $thema::VARCHAR IS NULL OR $thema::VARCHAR = 'witwassen'
    UNION ALL
    SELECT 'signalen', coalesce(thema, 'onbekend'), CAST(ontvangen_op AS DATE), buurtcode
    FROM signalen
    WHERE $thema::VARCHAR IS NULL OR thema = $thema::VARCHAR
    UNION ALL
    SELECT 'controles', 'handhaving', datum, buurtcode
    FROM controles
    WHERE $thema::VARCHAR IS NULL OR list_has_any(coalesce(bevindingen, []), CASE $thema::VARCHAR
        WHEN 'hennep' THEN ['drugs'] WHEN 'drugshandel' THEN ['drugs']
        WHEN 'illegaal gokken' THEN ['illegaal gokken'] WHEN 'omg' THEN ['omg-kenmerken']
        WHEN 'uitkeringsfraude' THEN ['onjuiste brp-inschrijving']
        WHEN 'vastgoedfraude' THEN ['schijnbeheer', 'illegale bewoning']
        WHEN 'overig' THEN ['overig'] ELSE []::VARCHAR[] END)
)
SELECT bron, thema,
       CAST(date_trunc(CASE $korrel::VARCHAR WHEN 'maand' THEN 'month' WHEN 'kwartaal' THEN 'quarter'
                       ELSE 'year' END, datum) AS DATE) AS periode,
       count(*) AS aantal
FROM rijen
WHERE datum >= $van AND datum < $tot
  AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode))
GROUP BY ALL
ORDER BY bron, thema, periode
