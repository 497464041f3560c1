-- The files of one load run, or of the latest runs when :load_id is NULL, with their outcome.
SELECT f.load_id, f.bestand, f.bron, f.status, f.melding, f.rijen_in, f.geladen, f.gequarantaineerd, f.klaar_op
FROM laadbestanden f
WHERE :load_id IS NULL OR f.load_id = :load_id
ORDER BY f.klaar_op DESC, f.bestand
LIMIT :limiet
