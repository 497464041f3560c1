-- The week (dijkwacht/week.py), "zonder_maatregel": address keys with problems (records of
-- the sources $problemen: grow sites, suspicious transactions, signals) dated in
-- [$venster_vanaf, $termijn_tot] — so older than the term — with no intervention at the
-- same address key on or after the problem's date up to $stand_per. An intervention is a
-- record with a measure ($maatregelen) or a Bibob refusal or withdrawal ($bibob), from a
-- grow site (its own measure counts) or an inspection (linkage.is_intervention).
-- Interventions are recorded per address (inspections carry no person key), so problems are
-- followed per address key. One row per key with open problems; week.py decides which
-- are listed.
WITH gebeurtenissen AS (
    SELECT rij, bron, datum, adres_sleutel, persoon_sleutel, buurtcode, soort,
           list_contains($maatregelen::VARCHAR[], maatregel)
               OR list_contains($bibob::VARCHAR[], uitkomst) AS interventie
    FROM koppeling_gebeurtenissen
    WHERE bron <> 'eigendommen' AND adres_sleutel IS NOT NULL
      AND datum <= CAST($stand_per AS DATE)
), laatste_interventie AS (
    SELECT adres_sleutel, max(datum) AS datum
    FROM gebeurtenissen WHERE interventie
    GROUP BY adres_sleutel
), open_problemen AS (
    SELECT p.*
    FROM gebeurtenissen p
    LEFT JOIN laatste_interventie i USING (adres_sleutel)
    WHERE list_contains($problemen::VARCHAR[], p.bron)
      AND p.datum >= CAST($venster_vanaf AS DATE) AND p.datum <= CAST($termijn_tot AS DATE)
      AND (i.datum IS NULL OR i.datum < p.datum)
), per_sleutel AS (
    SELECT adres_sleutel AS sleutel,
           count(*) AS problemen,
           count(*) FILTER (WHERE bron = 'hennepkwekerijen') AS hennepkwekerijen,
           count(*) FILTER (WHERE bron = 'verdachte_transacties') AS verdachte_transacties,
           count(*) FILTER (WHERE bron = 'signalen') AS signalen,
           min(datum) AS eerste,
           max(datum) AS laatste_probleem,
           arg_max(buurtcode, (datum, rij)) AS buurtcode,
           arg_max(soort, (datum, rij)) AS soort,
           coalesce(list(DISTINCT persoon_sleutel ORDER BY persoon_sleutel)
                    FILTER (WHERE persoon_sleutel IS NOT NULL), []::VARCHAR[]) AS anderen
    FROM open_problemen
    GROUP BY adres_sleutel
)
SELECT s.*,
       max(g.datum) AS laatste,
       count(*) FILTER (WHERE g.bron = 'controles' AND g.datum >= s.eerste) AS controles_sinds
FROM per_sleutel s
JOIN gebeurtenissen g ON g.adres_sleutel = s.sleutel
GROUP BY ALL
ORDER BY s.sleutel
