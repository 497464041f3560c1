-- The latest load runs with their file counts (state.sqlite).
SELECT r.load_id, r.soort, r.gestart_op, r.klaar_op, r.status, r.gepubliceerd, r.melding,
       count(f.bestand) AS bestanden,
       coalesce(sum(f.rijen_in), 0) AS rijen_in,
       coalesce(sum(f.geladen), 0) AS geladen,
       coalesce(sum(f.gequarantaineerd), 0) AS gequarantaineerd,
       coalesce(sum(f.status = 'rejected'), 0) AS geweigerd
FROM laadruns r LEFT JOIN laadbestanden f USING (load_id)
GROUP BY r.load_id
ORDER BY r.gestart_op DESC, r.rowid DESC
LIMIT :limiet
