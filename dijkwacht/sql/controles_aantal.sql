-- Inspections and Bibob screenings carried out.
SELECT count(*) AS waarde
FROM controles
WHERE datum >= $van AND datum < $tot
  AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode))
