-- Vestigingen whose address key also occurs in a grow site, an inspection or a suspicious
-- transaction, active at some time in [van, tot) and within the area filter. Keys only.
SELECT v.adres_sleutel, v.sbi_code
FROM vestigingen v
WHERE v.adres_sleutel IS NOT NULL
  AND v.datum_inschrijving < $tot
  AND (v.datum_opheffing IS NULL OR v.datum_opheffing >= $van)
  AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], v.buurtcode))
  AND (v.adres_sleutel IN (SELECT adres_sleutel FROM hennepkwekerijen)
       OR v.adres_sleutel IN (SELECT adres_sleutel FROM controles)
       OR v.adres_sleutel IN (SELECT adres_sleutel FROM verdachte_transacties))
