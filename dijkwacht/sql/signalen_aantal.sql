-- Signals received by the meldpunt.
SELECT count(*) AS waarde
FROM signalen
WHERE ontvangen_op >= $van AND ontvangen_op < $tot
  AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode))
