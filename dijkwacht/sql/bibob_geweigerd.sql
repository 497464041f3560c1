-- Bibob screenings ending in a refusal or withdrawal of the permit.
SELECT count(*) AS waarde
FROM controles
WHERE uitkomst IN ('bibob: geweigerd', 'bibob: ingetrokken') AND datum >= $van AND datum < $tot
  AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode))
