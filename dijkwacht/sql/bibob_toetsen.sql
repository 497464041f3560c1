-- Bibob screenings completed.
SELECT count(*) AS waarde
FROM controles
WHERE soort = 'bibob-toets' AND datum >= $van AND datum < $tot
  AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode))
