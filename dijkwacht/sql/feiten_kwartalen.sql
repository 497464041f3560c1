-- Fact counts per measure, theme, buurt and calendar quarter before $tot, for the measures
-- $maten: the atoms of the bestuur protection (dijkwacht/lattice.py).
SELECT maat, thema, coalesce(buurtcode, 'onbekend') AS buurtcode,
       CAST(date_trunc('quarter', dag) AS DATE) AS kwartaal, CAST(sum(aantal) AS BIGINT) AS aantal
FROM feiten
WHERE dag < $tot AND thema = $thema AND list_contains($maten::VARCHAR[], maat)
GROUP BY ALL
