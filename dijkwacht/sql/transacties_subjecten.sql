-- Distinct subjects (persons and companies) in suspicious transactions.
SELECT count(DISTINCT subject_id) AS waarde
FROM verdachte_transacties
WHERE datum >= $van AND datum < $tot
  AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode))
