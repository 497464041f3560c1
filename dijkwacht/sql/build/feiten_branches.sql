-- Facts of the facilitating branches (issue 19) for the measure registry's BRANCHE_MEASURES
-- (dijkwacht/measures.py), added to the fact table `feiten` after feiten.sql has built it,
-- in the same new database before it is published (branche_figures.build_facts).
--
-- The branche groups are bound as parameters from data/branches.toml ($codes[i] belongs to
-- $groepen[i]; branches.load_groups is their one definition): a vestiging belongs to the
-- group of its longest matching code prefix, as branches.group_of (tests hold both equal).
-- Only vestigingen of a group count. All facts are per registration or closure day:
--   branche_inschrijvingen      a registration, on datum_inschrijving
--   branche_opheffingen         a closure, on datum_opheffing
--   branche_beoordeeld          a registration whose 12 months have passed by the extract's
--                               stand (its latest date), on datum_inschrijving
--   branche_binnen_12_maanden   of those, closed within 12 months (the day itself included),
--                               on datum_inschrijving (branches.turnover's rule)
-- Vestigingen active at the end of [van, tot) = inschrijvingen minus opheffingen before tot.
DELETE FROM feiten WHERE maat LIKE 'branche\_%' ESCAPE '\';
INSERT INTO feiten
WITH codes AS (
    SELECT unnest($codes::VARCHAR[]) AS code, unnest($groepen::VARCHAR[]) AS groep
), ingedeeld AS (
    SELECT v.*, arg_max(c.groep, length(c.code)) AS groep
    FROM vestigingen v
    JOIN codes c ON starts_with(v.sbi_code, c.code)
    GROUP BY ALL
), stand AS (
    SELECT max(greatest(datum_inschrijving, coalesce(datum_opheffing, datum_inschrijving))) AS stand_per
    FROM vestigingen
), rijen AS (
    SELECT 'branche_inschrijvingen' AS maat, buurtcode, datum_inschrijving AS dag FROM ingedeeld
    UNION ALL
    SELECT 'branche_opheffingen', buurtcode, datum_opheffing FROM ingedeeld WHERE datum_opheffing IS NOT NULL
    UNION ALL
    SELECT 'branche_beoordeeld', buurtcode, datum_inschrijving FROM ingedeeld, stand
    WHERE datum_inschrijving + INTERVAL 12 MONTH <= stand_per
    UNION ALL
    SELECT 'branche_binnen_12_maanden', buurtcode, datum_inschrijving FROM ingedeeld, stand
    WHERE datum_inschrijving + INTERVAL 12 MONTH <= stand_per
      AND datum_opheffing IS NOT NULL AND datum_opheffing >= datum_inschrijving
      AND datum_opheffing <= datum_inschrijving + INTERVAL 12 MONTH
)
SELECT maat, 'alle' AS thema, buurtcode, CAST(dag AS DATE) AS dag, count(*)::BIGINT AS aantal, NULL::DOUBLE AS som
FROM rijen
GROUP BY ALL;
