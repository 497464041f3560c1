-- Active vestigingen per peildatum, buurt and SBI code: registered on or before the day
-- and not closed on or before it. The SBI code is grouped into branches in Python
-- (branches.group_expr, the one definition of the groups); the rows of every SBI code are
-- kept because the location quotient's denominator is all vestigingen in the area.
-- A NULL buurtcode (location unknown) counts for the city only.
SELECT p.peildatum, v.buurtcode, v.sbi_code, count(*) AS n
FROM vestigingen v
JOIN (SELECT unnest($peildata::DATE[]) AS peildatum) p
  ON v.datum_inschrijving <= p.peildatum
 AND (v.datum_opheffing IS NULL OR v.datum_opheffing > p.peildatum)
GROUP BY ALL
ORDER BY ALL
