-- The week (dijkwacht/week.py), "bekende_sleutel": keys with a new registration (dated in
-- [$nieuw_vanaf, $stand_per]) that were known before it:
--   * an earlier registration at the key dated in [$venster_vanaf, $nieuw_vanaf), or
--   * the key is in the ownership extract (as an owned address or as an owner).
-- A registration is a record that makes a key known (linkage._known_record): a grow site,
-- a suspicious transaction, a signal, or an inspection with a violation, a measure
-- ($maatregelen) or a Bibob refusal ($bibob). Ownership rows are facts, not events: their
-- peildatum (the day the extract was taken) is never a registration date, so they make a
-- key known as owned but give it no recency. One row per key; buurt of its newest new
-- registration; `nieuw_bronnen` and `eerder_bronnen` hold the source of every registration.
WITH registraties AS (
    SELECT rij, bron, datum, adres_sleutel, persoon_sleutel, buurtcode, soort
    FROM koppeling_gebeurtenissen
    WHERE datum >= CAST($venster_vanaf AS DATE) AND datum <= CAST($stand_per AS DATE)
      AND (bron IN ('hennepkwekerijen', 'verdachte_transacties', 'signalen')
           OR (bron = 'controles'
               AND (uitkomst = 'overtreding' OR list_contains($maatregelen::VARCHAR[], maatregel)
                    OR list_contains($bibob::VARCHAR[], uitkomst))))
), per_sleutel AS (
    SELECT adres_sleutel AS sleutel, 'adres' AS sleutel_soort, persoon_sleutel AS ander, *
    FROM registraties WHERE adres_sleutel IS NOT NULL
    UNION ALL
    SELECT persoon_sleutel, 'persoon', adres_sleutel, *
    FROM registraties WHERE persoon_sleutel IS NOT NULL
), nieuw AS (
    SELECT sleutel, sleutel_soort,
           count(*) AS nieuw,
           list(bron ORDER BY bron) AS nieuw_bronnen,
           min(datum) AS nieuw_eerste,
           max(datum) AS nieuw_laatste,
           arg_max(bron, (datum, rij)) AS nieuw_bron,
           arg_max(soort, (datum, rij)) AS nieuw_soort,
           arg_max(buurtcode, (datum, rij)) AS buurtcode,
           coalesce(list(DISTINCT ander ORDER BY ander) FILTER (WHERE ander IS NOT NULL),
                    []::VARCHAR[]) AS anderen
    FROM per_sleutel
    WHERE datum >= CAST($nieuw_vanaf AS DATE)
    GROUP BY sleutel, sleutel_soort
), eerder AS (
    SELECT p.sleutel, p.sleutel_soort,
           count(*) AS eerder,
           list(p.bron ORDER BY p.bron) AS eerder_bronnen,
           min(p.datum) AS eerder_eerste,
           max(p.datum) AS eerder_laatste
    FROM per_sleutel p
    SEMI JOIN nieuw n ON n.sleutel = p.sleutel AND n.sleutel_soort = p.sleutel_soort
    WHERE p.datum < CAST($nieuw_vanaf AS DATE)
    GROUP BY p.sleutel, p.sleutel_soort
), eigendom AS (
    SELECT adres_sleutel AS sleutel, 'adres' AS sleutel_soort, count(*) AS eigendommen
    FROM eigendommen GROUP BY adres_sleutel
    UNION ALL
    SELECT eigenaar_id, 'persoon', count(DISTINCT adres_sleutel)
    FROM eigendommen GROUP BY eigenaar_id
)
SELECT n.sleutel, n.sleutel_soort, n.nieuw, n.nieuw_bronnen, n.nieuw_eerste, n.nieuw_laatste,
       n.nieuw_bron, n.nieuw_soort, n.buurtcode, n.anderen,
       coalesce(e.eerder, 0) AS eerder,
       coalesce(e.eerder_bronnen, []::VARCHAR[]) AS eerder_bronnen,
       e.eerder_eerste, e.eerder_laatste,
       coalesce(o.eigendommen, 0) AS eigendommen
FROM nieuw n
LEFT JOIN eerder e ON e.sleutel = n.sleutel AND e.sleutel_soort = n.sleutel_soort
LEFT JOIN eigendom o ON o.sleutel = n.sleutel AND o.sleutel_soort = n.sleutel_soort
WHERE e.eerder IS NOT NULL OR o.eigendommen IS NOT NULL
ORDER BY n.sleutel, n.sleutel_soort
