-- The owner graph's edges between the keys $sleutels (one cluster's), in the graph's
-- order (adres_sleutel, persoon_sleutel), one row per relation (linkage.link_graph).
-- Built at load (koppeling_kanten, stored per cluster). Key-level data: "detail" only.
SELECT k.adres_sleutel, k.persoon_sleutel, unnest(k.relaties) AS bron
FROM koppeling_kanten k
WHERE k.cluster IN (SELECT cluster FROM koppeling_knopen
                    WHERE list_contains(CAST($sleutels AS VARCHAR[]), sleutel))
  AND list_contains(CAST($sleutels AS VARCHAR[]), k.adres_sleutel)
  AND list_contains(CAST($sleutels AS VARCHAR[]), k.persoon_sleutel)
ORDER BY k.adres_sleutel, k.persoon_sleutel, bron
