-- Inspections in [$van, $tot) per wijk: count, with findings, closures, penalty orders
-- and their amount. Rows without a known buurt are grouped as 'onbekend'.
SELECT coalesce(b.wijkcode, 'onbekend') AS wijkcode, coalesce(w.naam, 'onbekend') AS wijk,
       count(*) AS controles,
       count(*) FILTER (WHERE c.soort <> 'bibob-toets'
                        AND (c.uitkomst = 'overtreding' OR len(coalesce(c.bevindingen, [])) > 0)) AS met_bevindingen,
       count(*) FILTER (WHERE c.maatregel = 'sluiting') AS sluitingen,
       count(*) FILTER (WHERE c.maatregel = 'last onder dwangsom') AS dwangsommen,
       CAST(coalesce(sum(c.bedrag_dwangsom) FILTER (WHERE c.maatregel = 'last onder dwangsom'), 0) AS DOUBLE) AS bedrag_dwangsommen
FROM controles c
LEFT JOIN buurten b ON b.buurtcode = c.buurtcode
LEFT JOIN wijken w ON w.wijkcode = b.wijkcode
WHERE c.datum >= $van AND c.datum < $tot
  AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], c.buurtcode))
GROUP BY ALL
ORDER BY controles DESC, wijkcode
