-- Programme activities in [$van, $tot) per pillar and kind: how many, and participants.
-- Activities have no location: city level only.
SELECT pijler, coalesce(soort, 'overig') AS soort, count(*) AS aantal,
       CAST(coalesce(sum(deelnemers), 0) AS BIGINT) AS deelnemers
FROM activiteiten
WHERE datum >= $van AND datum < $tot
GROUP BY ALL
ORDER BY pijler, soort
