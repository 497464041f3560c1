-- Dismantled grow sites in [$van, $tot) per 100 m grid cell (RD New lower-left corner):
-- the only location analysts' map points show (DESIGN §6). Sites without a cell are left out.
SELECT cel_x, cel_y, count(*) AS aantal
FROM hennepkwekerijen
WHERE datum_ontmanteling >= $van AND datum_ontmanteling < $tot
  AND cel_x IS NOT NULL AND cel_y IS NOT NULL
GROUP BY ALL
ORDER BY cel_x, cel_y
