-- Per file of the latest runs: counts, status and the reason when rejected.
SELECT f.load_id, f.bestand, f.bron, f.status, f.rijen_in, f.geladen, f.gequarantaineerd, f.vervangen,
       f.melding, f.onbekende_kolommen, f.waarschuwingen, f.klaar_op
FROM laadbestanden f
ORDER BY f.klaar_op DESC, f.rowid DESC
LIMIT :limiet
