-- The records the period analyses of Koppelingen need (linkage.problem_vs_intervention,
-- follow_ups, barrier_model, signal_funnel, outcome_by_referral) for the period
-- [$van, $tot) (either NULL = open) in the buurten $buurten (NULL = all):
--   every record but ownership in the period, and
--   the inspections and dismantlings at an address key from $van up to $dagen (the
--   follow-up days) after $tot: what can follow a signal of the period.
-- The event table is stored in date order (sql/build/koppelingen.sql), so the date bounds
-- read only the row groups of the period. Key-level data: "detail" permission only.
SELECT bron, nummer, datum, adres_sleutel, persoon_sleutel, buurtcode, soort, uitkomst,
       maatregel, doorgezet_naar, fase, partners, bedrag, buurtnaam
FROM koppeling_gebeurtenissen
WHERE bron <> 'eigendommen'
  AND ($buurten IS NULL OR list_contains(CAST($buurten AS VARCHAR[]), buurtcode))
  AND (CAST($van AS DATE) IS NULL OR datum >= CAST($van AS DATE))
  AND ((CAST($tot AS DATE) IS NULL OR datum < CAST($tot AS DATE))
       OR (bron IN ('controles', 'hennepkwekerijen') AND adres_sleutel IS NOT NULL
           AND datum < CAST($tot AS DATE) + CAST($dagen AS INTEGER)))
ORDER BY rij
