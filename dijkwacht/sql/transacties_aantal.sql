-- Suspicious transactions (FIU) by transaction date.
SELECT count(*) AS waarde
FROM verdachte_transacties
WHERE datum >= $van AND datum < $tot
  AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode))
