-- Dismantled grow sites in [$van, $tot), optionally within the buurten $buurten.
SELECT count(*) AS waarde
FROM hennepkwekerijen
WHERE datum_ontmanteling >= $van AND datum_ontmanteling < $tot
  AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode))
