-- Fact totals per measure and area at one level ($niveau 'buurt' or 'wijk') for [$van, $tot)
-- and theme $thema, for the measures $maten: a wijk's figure from the wijk's own rows.
-- code 'onbekend' = no known location. aantal_2020: the part in buurten with a CBS 2020
-- population (the base of rates; differs for wijken holding 2024-only buurt codes).
SELECT f.maat,
       CASE WHEN $niveau = 'wijk' THEN coalesce(b.wijkcode, 'onbekend')
            ELSE coalesce(f.buurtcode, 'onbekend') END AS code,
       CAST(sum(f.aantal) AS BIGINT) AS aantal,
       CAST(coalesce(sum(f.aantal) FILTER (WHERE b.in_2020), 0) AS BIGINT) AS aantal_2020,
       sum(f.som) AS som
FROM feiten f LEFT JOIN buurten b ON b.buurtcode = f.buurtcode
WHERE f.thema = $thema AND f.dag >= $van AND f.dag < $tot
  AND list_contains($maten::VARCHAR[], f.maat)
GROUP BY ALL
ORDER BY f.maat, code
