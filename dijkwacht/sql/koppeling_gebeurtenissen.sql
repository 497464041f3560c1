-- Every keyed record of every source as one event list (Koppelingen, issue 10).
-- Key-level data: only for roles with the "detail" permission. Keys are pseudonymous
-- (adres_sleutel, and persoon_sleutel = subject_id / eigenaar_id in one key space);
-- no address or identifier is readable here. eigendommen rows are ownership facts
-- (dated by their peildatum), not events. Rows without any key are kept: they still count
-- per buurt and in the barrier model.
WITH e AS (
    SELECT 'hennepkwekerijen' AS bron, registratienummer AS nummer, datum_ontmanteling AS datum,
           adres_sleutel, eigenaar_id AS persoon_sleutel, buurtcode,
           locatietype AS soort, NULL::VARCHAR AS uitkomst, maatregel,
           NULL::VARCHAR AS doorgezet_naar, NULL::VARCHAR AS fase, NULL::VARCHAR[] AS partners,
           NULL::DOUBLE AS bedrag
    FROM hennepkwekerijen
    UNION ALL
    SELECT 'verdachte_transacties', transactienummer, datum,
           adres_sleutel, subject_id, buurtcode,
           transactietype, NULL, NULL,
           NULL, NULL, NULL,
           bedrag::DOUBLE
    FROM verdachte_transacties
    UNION ALL
    SELECT 'signalen', signaalnummer, ontvangen_op::DATE,
           adres_sleutel, NULL, buurtcode,
           thema, status, NULL,
           doorgezet_naar, barrierefase, NULL,
           NULL
    FROM signalen
    UNION ALL
    SELECT 'controles', controlenummer, datum,
           adres_sleutel, NULL, buurtcode,
           soort, uitkomst, maatregel,
           NULL, NULL, partners,
           bedrag_dwangsom::DOUBLE
    FROM controles
    UNION ALL
    SELECT 'eigendommen', NULL, peildatum,
           adres_sleutel, eigenaar_id, NULL,
           eigenaar_type, NULL, NULL,
           NULL, NULL, NULL,
           NULL
    FROM eigendommen
)
SELECT e.*, b.naam AS buurtnaam
FROM e
LEFT JOIN buurten b USING (buurtcode)
ORDER BY e.datum, e.bron, e.nummer
