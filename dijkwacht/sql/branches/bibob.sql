-- Bibob outcomes in [van, tot) at address keys where a vestiging was active on the day of
-- the decision, one row per (decision, SBI code of such a vestiging); the branche is
-- derived in Python and a decision counts once per branche (data: branche_bibob).
SELECT DISTINCT c.controlenummer, v.sbi_code, c.uitkomst
FROM controles c
JOIN vestigingen v
  ON v.adres_sleutel = c.adres_sleutel
 AND v.datum_inschrijving <= c.datum
 AND (v.datum_opheffing IS NULL OR v.datum_opheffing > c.datum)
WHERE c.soort = 'bibob-toets' AND c.datum >= $van AND c.datum < $tot
  AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], v.buurtcode))
