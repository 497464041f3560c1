-- The records the attention list (linkage.attention_list) needs for "new since $sinds":
--   the new records (dated after $sinds; ownership is never new),
--   the ownership records of the addresses of new records (is their owner known?), and
--   the earlier records (on or before $sinds) of the keys of new records and of those
--   owners (were they known?).
-- Every record at most once; the index built at load (koppeling_index, in key order)
-- finds a key's records. Key-level data: "detail" permission only.
WITH nieuw AS (
    SELECT rij, adres_sleutel, persoon_sleutel FROM koppeling_gebeurtenissen
    WHERE datum > CAST($sinds AS DATE) AND bron <> 'eigendommen'
), nieuwe_adressen AS (
    SELECT DISTINCT adres_sleutel AS sleutel FROM nieuw WHERE adres_sleutel IS NOT NULL
), eigendom AS (
    SELECT i.rij FROM koppeling_index i
    WHERE i.sleutel_soort = 'adres' AND i.bron = 'eigendommen'
      AND i.sleutel IN (SELECT sleutel FROM nieuwe_adressen)
), personen AS (
    SELECT persoon_sleutel AS sleutel FROM nieuw WHERE persoon_sleutel IS NOT NULL
    UNION
    SELECT e.persoon_sleutel FROM koppeling_gebeurtenissen e
    WHERE e.rij IN (SELECT rij FROM eigendom) AND e.persoon_sleutel IS NOT NULL
), eerder AS (
    SELECT i.rij FROM koppeling_index i
    WHERE i.bron <> 'eigendommen' AND i.datum <= CAST($sinds AS DATE)
      AND ((i.sleutel_soort = 'adres' AND i.sleutel IN (SELECT sleutel FROM nieuwe_adressen))
           OR (i.sleutel_soort = 'persoon' AND i.sleutel IN (SELECT sleutel FROM personen)))
), rijen AS (
    SELECT rij FROM nieuw
    UNION
    SELECT rij FROM eigendom
    UNION
    SELECT rij FROM eerder
)
SELECT bron, nummer, datum, adres_sleutel, persoon_sleutel, buurtcode, soort, uitkomst,
       maatregel, doorgezet_naar, fase, partners, bedrag, buurtnaam
FROM koppeling_gebeurtenissen
WHERE rij IN (SELECT rij FROM rijen)
ORDER BY rij
