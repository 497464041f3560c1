-- The attention list's new records (linkage.attention_list): dated after $sinds, ownership
-- never new. A range of the event list, which is stored in date order.
-- Key-level data: "detail" permission only.
SELECT bron, nummer, datum, adres_sleutel, persoon_sleutel, buurtcode, soort, uitkomst,
       maatregel, doorgezet_naar, fase, partners, bedrag, buurtnaam
FROM koppeling_gebeurtenissen
WHERE datum > CAST($sinds AS DATE) AND bron <> 'eigendommen'
ORDER BY rij
