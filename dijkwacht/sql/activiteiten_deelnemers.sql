-- Participants in programme activities.
SELECT CASE WHEN $buurten::VARCHAR[] IS NULL THEN coalesce(sum(deelnemers), 0) END AS waarde
FROM activiteiten
WHERE datum >= $van AND datum < $tot
