-- Inspections in [$van, $tot) by kind, object type, finding (one row per finding in the
-- list), Bibob outcome and measure taken.
WITH c AS (
    SELECT * FROM controles
    WHERE datum >= $van AND datum < $tot
      AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode))
)
SELECT 'soort' AS dimensie, soort AS categorie, count(*) AS aantal FROM c GROUP BY ALL
UNION ALL
SELECT 'objecttype', coalesce(objecttype, 'onbekend'), count(*) FROM c GROUP BY ALL
UNION ALL
SELECT 'bevinding', bevinding, count(*)
FROM (SELECT unnest(bevindingen) AS bevinding FROM c WHERE bevindingen IS NOT NULL) GROUP BY ALL
UNION ALL
SELECT 'bibob', coalesce(uitkomst, 'onbekend'), count(*) FROM c WHERE soort = 'bibob-toets' GROUP BY ALL
UNION ALL
SELECT 'maatregel', coalesce(maatregel, 'onbekend'), count(*) FROM c GROUP BY ALL
ORDER BY dimensie, aantal DESC, categorie
