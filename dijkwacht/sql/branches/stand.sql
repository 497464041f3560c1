-- The extract's own stand: how many vestigingen, and its latest date (a registration or a
-- closure). "Closed within 12 months" is judged only for registrations whose 12 months
-- have passed by then (branches.turnover, stand_per).
SELECT count(*) AS vestigingen,
       max(greatest(datum_inschrijving, coalesce(datum_opheffing, datum_inschrijving))) AS stand_per,
       min(datum_inschrijving) AS eerste_inschrijving
FROM vestigingen
