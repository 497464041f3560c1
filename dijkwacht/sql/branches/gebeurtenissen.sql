-- The events in [van, tot) at address keys that have a vestiging, per source, with the
-- columns branches.co_location_events reads (which of them count is decided there, by the
-- rules of the measure registry). Keys only.
WITH sleutels AS (SELECT DISTINCT adres_sleutel FROM vestigingen WHERE adres_sleutel IS NOT NULL)
SELECT 'hennepkwekerijen' AS bron, h.adres_sleutel, NULL::VARCHAR AS soort, NULL::VARCHAR AS uitkomst,
       NULL::VARCHAR[] AS bevindingen
FROM hennepkwekerijen h JOIN sleutels USING (adres_sleutel)
WHERE h.datum_ontmanteling >= $van AND h.datum_ontmanteling < $tot
UNION ALL
SELECT 'controles', c.adres_sleutel, c.soort, c.uitkomst, c.bevindingen
FROM controles c JOIN sleutels USING (adres_sleutel)
WHERE c.datum >= $van AND c.datum < $tot
UNION ALL
SELECT 'verdachte_transacties', t.adres_sleutel, NULL, NULL, NULL
FROM verdachte_transacties t JOIN sleutels USING (adres_sleutel)
WHERE t.datum >= $van AND t.datum < $tot
