-- Counts per wijk and source, and per signal theme, in the period [$van, $tot) and in the
-- comparison period [$van0, $tot0): the raw material for "what changed most" and the top
-- areas. Rows without a known buurt are grouped as wijk 'onbekend'.
WITH rijen AS (
    SELECT 'hennepkwekerijen' AS bron, datum_ontmanteling AS datum, buurtcode, NULL::VARCHAR AS thema
    FROM hennepkwekerijen
    UNION ALL SELECT 'verdachte_transacties', datum, buurtcode, NULL FROM verdachte_transacties
    UNION ALL SELECT 'signalen', CAST(ontvangen_op AS DATE), buurtcode, thema FROM signalen
    UNION ALL SELECT 'controles', datum, buurtcode, NULL FROM controles
), gekozen AS (
    SELECT r.bron, r.thema, b.wijkcode,
           CAST(r.datum >= $van AND r.datum < $tot AS INTEGER) AS nu,
           CAST(r.datum >= $van0 AND r.datum < $tot0 AS INTEGER) AS eerder
    FROM rijen r LEFT JOIN buurten b ON b.buurtcode = r.buurtcode
    WHERE ((r.datum >= $van AND r.datum < $tot) OR (r.datum >= $van0 AND r.datum < $tot0))
      AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], r.buurtcode))
)
SELECT 'wijk' AS soort, coalesce(g.wijkcode, 'onbekend') AS sleutel,
       coalesce(w.naam, 'onbekend') AS naam, g.bron,
       CAST(sum(g.nu) AS BIGINT) AS nu, CAST(sum(g.eerder) AS BIGINT) AS eerder
FROM gekozen g LEFT JOIN wijken w ON w.wijkcode = g.wijkcode
GROUP BY ALL
UNION ALL
SELECT 'thema', thema, thema, bron, CAST(sum(nu) AS BIGINT), CAST(sum(eerder) AS BIGINT)
FROM gekozen
WHERE bron = 'signalen' AND thema IS NOT NULL
GROUP BY ALL
ORDER BY soort, sleutel, bron
