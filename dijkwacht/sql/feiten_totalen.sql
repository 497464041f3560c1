-- Fact totals per measure for [$van, $tot) within $buurten (NULL = whole city) and theme
-- $thema ('alle' = every theme): the raw material of measures.values.
SELECT maat, CAST(sum(aantal) AS BIGINT) AS aantal, sum(som) AS som
FROM feiten
WHERE thema = $thema AND dag >= $van AND dag < $tot
  AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode))
GROUP BY maat
