-- The first record date over the sources with a date (for the year and quarter choices).
SELECT least((SELECT min(datum_ontmanteling) FROM hennepkwekerijen),
             (SELECT min(datum) FROM verdachte_transacties),
             (SELECT CAST(min(ontvangen_op) AS DATE) FROM signalen),
             (SELECT min(datum) FROM controles)) AS eerste_datum
