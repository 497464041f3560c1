-- Fact counts per measure and theme per month, quarter or year ($korrel) before $tot,
-- within $buurten (NULL = whole city), for the measures $maten. $per_thema: signals per
-- theme instead of their total.
SELECT maat, thema,
       CAST(date_trunc(CASE $korrel::VARCHAR WHEN 'maand' THEN 'month' WHEN 'kwartaal' THEN 'quarter'
                       ELSE 'year' END, dag) AS DATE) AS periode,
       CAST(sum(aantal) AS BIGINT) AS aantal
FROM feiten
WHERE dag < $tot AND list_contains($maten::VARCHAR[], maat)
  AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode))
  AND CASE WHEN $per_thema AND maat = 'signalen' THEN thema <> 'alle' ELSE thema = $thema END
GROUP BY ALL
ORDER BY maat, thema, periode
