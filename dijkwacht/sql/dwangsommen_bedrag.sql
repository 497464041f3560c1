-- Total penalty amounts imposed (inspections record the amount), EUR.
SELECT CAST(coalesce(sum(bedrag_dwangsom), 0) AS DOUBLE) AS waarde
FROM controles
WHERE maatregel = 'last onder dwangsom' AND datum >= $van AND datum < $tot
  AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode))
