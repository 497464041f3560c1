-- Fact count per measure for [$van, $tot) within $buurten and theme $thema (the same span a
-- year before an incomplete period: equal-period comparisons).
SELECT maat, CAST(sum(aantal) AS BIGINT) AS aantal
FROM feiten
WHERE thema = $thema AND dag >= $van AND dag < $tot AND list_contains($maten::VARCHAR[], maat)
  AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode))
GROUP BY maat
