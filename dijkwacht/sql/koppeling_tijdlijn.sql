-- Every record with one key ($sleutel), oldest first (linkage.timeline): its own records
-- (via 'direct') and, for a person key, the records at the addresses it owns per
-- eigendommen (via 'eigen adres'). Reads the per-key index built at load
-- (koppeling_index, in key order) and only the records it points to.
-- Key-level data: "detail" permission only, after the purpose is logged.
WITH direct AS (
    SELECT DISTINCT rij FROM koppeling_index WHERE sleutel = $sleutel
), owned AS (
    SELECT DISTINCT i.sleutel
    FROM koppeling_index i
    WHERE i.sleutel_soort = 'adres' AND i.bron = 'eigendommen'
      AND i.rij IN (SELECT rij FROM koppeling_index
                    WHERE sleutel = $sleutel AND sleutel_soort = 'persoon' AND bron = 'eigendommen')
), via AS (
    SELECT DISTINCT i.rij
    FROM koppeling_index i
    WHERE i.sleutel_soort = 'adres' AND i.bron <> 'eigendommen'
      AND i.sleutel IN (SELECT sleutel FROM owned)
      AND i.rij NOT IN (SELECT rij FROM direct)
), rijen AS (
    SELECT rij, 'direct' AS via FROM direct
    UNION ALL
    SELECT rij, 'eigen adres' FROM via
)
SELECT e.bron, e.nummer, e.datum, e.adres_sleutel, e.persoon_sleutel, e.buurtcode, e.soort,
       e.uitkomst, e.maatregel, e.doorgezet_naar, e.fase, e.partners, e.bedrag, e.buurtnaam,
       r.via
FROM rijen r
JOIN koppeling_gebeurtenissen e USING (rij)
ORDER BY e.datum NULLS LAST, e.bron, e.nummer NULLS LAST, r.via, e.rij
