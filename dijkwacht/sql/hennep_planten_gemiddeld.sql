-- Mean number of plants per dismantled grow site (sites with a known count).
SELECT round(avg(aantal_planten), 0) AS waarde
FROM hennepkwekerijen
WHERE datum_ontmanteling >= $van AND datum_ontmanteling < $tot
  AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode))
