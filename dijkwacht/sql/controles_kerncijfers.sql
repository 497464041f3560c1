-- Key figures for inspections in [$van, $tot): inspections (without Bibob), share with
-- findings, Bibob screenings, closures and penalty orders (count and amount).
SELECT count(*) FILTER (WHERE soort <> 'bibob-toets') AS controles,
       count(*) FILTER (WHERE soort <> 'bibob-toets'
                        AND (uitkomst = 'overtreding' OR len(coalesce(bevindingen, [])) > 0)) AS met_bevindingen,
       round(100.0 * count(*) FILTER (WHERE soort <> 'bibob-toets'
                        AND (uitkomst = 'overtreding' OR len(coalesce(bevindingen, [])) > 0))
             / nullif(count(*) FILTER (WHERE soort <> 'bibob-toets'), 0), 1) AS met_bevindingen_pct,
       count(*) FILTER (WHERE soort = 'bibob-toets') AS bibob_toetsen,
       count(*) FILTER (WHERE maatregel = 'sluiting') AS sluitingen,
       count(*) FILTER (WHERE maatregel = 'last onder dwangsom') AS dwangsommen,
       CAST(coalesce(sum(bedrag_dwangsom) FILTER (WHERE maatregel = 'last onder dwangsom'), 0) AS DOUBLE) AS bedrag_dwangsommen
FROM controles
WHERE datum >= $van AND datum < $tot
  AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode))
