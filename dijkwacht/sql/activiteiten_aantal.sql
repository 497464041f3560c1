-- Programme activities (trainings, meetings, campaigns); they have no location,
-- so within an area the figure is NULL.
SELECT CASE WHEN $buurten::VARCHAR[] IS NULL THEN count(*) END AS waarde
FROM activiteiten
WHERE datum >= $van AND datum < $tot
