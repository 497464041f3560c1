-- What the ETL computes the owner clusters from (etl/linkage_tables.py): the columns of the
-- linked event list that linkage.owner_links, clusters and node_counts read, 6 of its 14,
-- so the load does not hold the whole list beside the protection search (issue 17).
SELECT bron, datum, adres_sleutel, persoon_sleutel, maatregel, uitkomst
FROM koppeling_gebeurtenissen
ORDER BY rij
