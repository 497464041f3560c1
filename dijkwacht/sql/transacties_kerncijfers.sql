-- Key figures for suspicious transactions in [$van, $tot): count, amounts, distinct subjects.
SELECT count(*) AS aantal,
       CAST(coalesce(sum(bedrag), 0) AS DOUBLE) AS bedrag,
       CAST(median(bedrag) AS DOUBLE) AS mediaan_bedrag,
       count(DISTINCT subject_id) AS subjecten,
       count(DISTINCT subject_id) FILTER (WHERE subject_type = 'natuurlijk persoon') AS personen,
       count(DISTINCT subject_id) FILTER (WHERE subject_type = 'rechtspersoon') AS rechtspersonen
FROM verdachte_transacties
WHERE datum >= $van AND datum < $tot
  AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode))
