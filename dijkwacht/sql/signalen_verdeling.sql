-- Signals received in [$van, $tot) by channel, reporter type and theme ($thema NULL = all).
WITH s AS (
    SELECT * FROM signalen
    WHERE ontvangen_op >= $van AND ontvangen_op < $tot
      AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode))
      AND ($thema::VARCHAR IS NULL OR thema = $thema::VARCHAR)
)
SELECT 'kanaal' AS dimensie, coalesce(kanaal, 'onbekend') AS categorie, count(*) AS aantal FROM s GROUP BY ALL
UNION ALL
SELECT 'melder_type', coalesce(melder_type, 'onbekend'), count(*) FROM s GROUP BY ALL
UNION ALL
SELECT 'thema', coalesce(thema, 'onbekend'), count(*) FROM s GROUP BY ALL
UNION ALL
SELECT 'doorgezet_naar', doorgezet_naar, count(*) FROM s WHERE doorgezet_naar IS NOT NULL GROUP BY ALL
ORDER BY dimensie, aantal DESC, categorie
