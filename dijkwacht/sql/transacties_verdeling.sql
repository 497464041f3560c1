-- Suspicious transactions in [$van, $tot) by amount band, type, reporting sector, subject
-- type and branche: count, total amount and distinct subjects per class.
WITH t AS (
    SELECT *,
           CASE WHEN bedrag < 1000 THEN 'minder dan € 1.000' WHEN bedrag < 5000 THEN '€ 1.000 tot € 5.000'
                WHEN bedrag < 10000 THEN '€ 5.000 tot € 10.000' WHEN bedrag < 50000 THEN '€ 10.000 tot € 50.000'
                ELSE '€ 50.000 of meer' END AS bedragklasse,
           CASE WHEN bedrag < 1000 THEN 1 WHEN bedrag < 5000 THEN 2 WHEN bedrag < 10000 THEN 3
                WHEN bedrag < 50000 THEN 4 ELSE 5 END AS klasse_volgorde
    FROM verdachte_transacties
    WHERE datum >= $van AND datum < $tot
      AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode))
)
SELECT 'bedragklasse' AS dimensie, bedragklasse AS categorie, klasse_volgorde AS volgorde, count(*) AS aantal,
       CAST(sum(bedrag) AS DOUBLE) AS bedrag, count(DISTINCT subject_id) AS subjecten FROM t GROUP BY ALL
UNION ALL
SELECT 'transactietype', coalesce(transactietype, 'onbekend'), 0, count(*), CAST(sum(bedrag) AS DOUBLE), count(DISTINCT subject_id) FROM t GROUP BY ALL
UNION ALL
SELECT 'melder_sector', coalesce(melder_sector, 'onbekend'), 0, count(*), CAST(sum(bedrag) AS DOUBLE), count(DISTINCT subject_id) FROM t GROUP BY ALL
UNION ALL
SELECT 'subject_type', coalesce(subject_type, 'onbekend'), 0, count(*), CAST(sum(bedrag) AS DOUBLE), count(DISTINCT subject_id) FROM t GROUP BY ALL
UNION ALL
SELECT 'branche', coalesce(branche, 'onbekend'), 0, count(*), CAST(sum(bedrag) AS DOUBLE), count(DISTINCT subject_id) FROM t GROUP BY ALL
ORDER BY dimensie, volgorde, aantal DESC, categorie
