-- Per key of $sleutels (one cluster's) its records other than ownership and the grow
-- sites among them (linkage.node_counts), and its place in the cluster's layout where the
-- ETL laid it out (x, y; NULL beyond linkage.SHOWN_CLUSTERS), built at load (koppeling_knopen).
-- Key-level data: "detail" permission only.
SELECT soort, sleutel, gebeurtenissen, kwekerijen, x, y
FROM koppeling_knopen
WHERE list_contains(CAST($sleutels AS VARCHAR[]), sleutel)
ORDER BY soort, sleutel
