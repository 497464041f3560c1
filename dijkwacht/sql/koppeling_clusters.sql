-- The owner networks (built at load: koppeling_clusters, linkage.clusters), largest first;
-- the first $limit (NULL = all). Key-level data: "detail" permission only.
SELECT cluster, personen, adressen, eigendommen, kwekerijen, kwekerijen_venster, venster_dagen,
       gebeurtenissen, interventies, eerste, laatste, sleutels
FROM koppeling_clusters
ORDER BY cluster
LIMIT $limit
