-- Share of inspections (not Bibob) with an infringement or findings, %.
SELECT round(100.0 * count(*) FILTER (WHERE uitkomst = 'overtreding' OR len(coalesce(bevindingen, [])) > 0)
             / nullif(count(*), 0), 1) AS waarde
FROM controles
WHERE datum >= $van AND datum < $tot
  AND soort <> 'bibob-toets'
  AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode))
