-- Signals per theme for [$van, $tot) and [$van0, $tot0) within $buurten (NULL = whole city).
SELECT thema, CAST(coalesce(sum(aantal) FILTER (WHERE dag >= $van AND dag < $tot), 0) AS BIGINT) AS nu,
       CAST(coalesce(sum(aantal) FILTER (WHERE dag >= $van0 AND dag < $tot0), 0) AS BIGINT) AS eerder
FROM feiten
WHERE maat = 'signalen' AND thema <> 'alle'
  AND ((dag >= $van AND dag < $tot) OR (dag >= $van0 AND dag < $tot0))
  AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode))
GROUP BY thema
ORDER BY thema
