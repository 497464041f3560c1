-- Quarantined rows (one per broken rule) of one load run, or of all runs when :load_id is NULL.
SELECT load_id, bestand, bron, regel, kolom, regel_fout, waarde
FROM quarantaine
WHERE :load_id IS NULL OR load_id = :load_id
ORDER BY load_id DESC, bestand, regel, kolom
LIMIT :limiet
