-- The linked event list (Koppelingen, issue 10), as built at load in the table
-- koppeling_gebeurtenissen (sql/build/koppelingen.sql): every keyed record of every source,
-- one row each, in (datum, bron, nummer) order. Key-level data: only for roles with the
-- "detail" permission; the dashboard never reads it whole (issue 17), nor does the ETL (it
-- reads the owner clusters' columns, koppeling_eigenaren_invoer.sql); the tests do.
SELECT bron, nummer, datum, adres_sleutel, persoon_sleutel, buurtcode, soort, uitkomst,
       maatregel, doorgezet_naar, fase, partners, bedrag, buurtnaam
FROM koppeling_gebeurtenissen
ORDER BY rij
