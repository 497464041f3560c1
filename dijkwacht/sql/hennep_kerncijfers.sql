-- Key figures for grow sites in [$van, $tot). A repeat address is an address key with a
-- grow site in the period and at least two grow sites in all records up to $tot.
WITH k AS (
    SELECT * FROM hennepkwekerijen
    WHERE datum_ontmanteling < $tot
      AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode))
), herhaald AS (
    SELECT adres_sleutel FROM k WHERE adres_sleutel IS NOT NULL
    GROUP BY adres_sleutel
    HAVING count(*) >= 2 AND max(datum_ontmanteling) >= $van
)
SELECT count(*) AS kwekerijen,
       CAST(coalesce(sum(aantal_planten), 0) AS BIGINT) AS planten,
       round(avg(aantal_planten), 0) AS planten_gemiddeld,
       count(*) FILTER (WHERE stroomdiefstal = 'ja') AS stroomdiefstal,
       (SELECT count(*) FROM herhaald) AS herhaaladressen
FROM k
WHERE datum_ontmanteling >= $van
