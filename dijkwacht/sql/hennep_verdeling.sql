-- Grow sites in [$van, $tot) (optionally within $buurten) by location type, plant-count
-- class, energy theft, ownership and the measure taken. `volgorde` orders ordinal classes.
WITH k AS (
    SELECT * FROM hennepkwekerijen
    WHERE datum_ontmanteling >= $van AND datum_ontmanteling < $tot
      AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode))
)
SELECT 'locatietype' AS dimensie, coalesce(locatietype, 'onbekend') AS categorie, 0 AS volgorde, count(*) AS aantal FROM k GROUP BY ALL
UNION ALL
SELECT 'planten',
       CASE WHEN aantal_planten IS NULL THEN 'onbekend' WHEN aantal_planten < 100 THEN 'minder dan 100'
            WHEN aantal_planten < 250 THEN '100 tot 250' WHEN aantal_planten < 500 THEN '250 tot 500'
            WHEN aantal_planten < 1000 THEN '500 tot 1.000' ELSE '1.000 of meer' END,
       CASE WHEN aantal_planten IS NULL THEN 9 WHEN aantal_planten < 100 THEN 1 WHEN aantal_planten < 250 THEN 2
            WHEN aantal_planten < 500 THEN 3 WHEN aantal_planten < 1000 THEN 4 ELSE 5 END,
       count(*) FROM k GROUP BY ALL
UNION ALL
SELECT 'stroomdiefstal', coalesce(stroomdiefstal, 'onbekend'), 0, count(*) FROM k GROUP BY ALL
UNION ALL
SELECT 'eigendom', coalesce(eigendom, 'onbekend'), 0, count(*) FROM k GROUP BY ALL
UNION ALL
SELECT 'maatregel', coalesce(maatregel, 'onbekend'), 0, count(*) FROM k GROUP BY ALL
ORDER BY dimensie, volgorde, aantal DESC, categorie
