-- Total amount of suspicious transactions, EUR.
SELECT CAST(coalesce(sum(bedrag), 0) AS DOUBLE) AS waarde
FROM verdachte_transacties
WHERE datum >= $van AND datum < $tot
  AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode))
