-- The fact table: every additive figure of the measure registry (dijkwacht/measures.py)
-- per measure × theme × buurt × day, built once per load in the new database before it is
-- published (etl/load.py). Pages, maps and documents read figures from here, never by
-- counting detail rows on a request.
--
-- thema 'alle' rows are the measure's total; rows per theme exist beside them for the
-- theme filter (grow sites are theme hennep, suspicious transactions witwassen, signals
-- their own theme or 'onbekend', inspections every theme their findings point to — an
-- inspection with two findings counts in both themes, so theme rows are not summed).
--
-- Interventions (sluiting, last onder dwangsom, bestuurlijke waarschuwing) are recorded by
-- the police on the grow site and again by the municipality on the inspection that
-- follows it. Dedup rule: a grow site's measure counts once when an inspection at the same
-- address key records the same measure on or up to 60 days after the dismantling; the
-- inspection's record is kept (it carries the penalty amount).
DROP TABLE IF EXISTS feiten;
CREATE TABLE feiten AS
WITH controle_themas AS (
    SELECT c.*, t.thema
    FROM controles c
    CROSS JOIN (VALUES ('hennep', 'drugs'), ('drugshandel', 'drugs'),
                       ('illegaal gokken', 'illegaal gokken'), ('omg', 'omg-kenmerken'),
                       ('uitkeringsfraude', 'onjuiste brp-inschrijving'),
                       ('vastgoedfraude', 'schijnbeheer'), ('vastgoedfraude', 'illegale bewoning'),
                       ('overig', 'overig')) AS t(thema, bevinding)
    WHERE list_contains(coalesce(c.bevindingen, []), t.bevinding)
), controles_thema AS (
    SELECT DISTINCT ON (controlenummer, thema) * FROM controle_themas
    UNION ALL
    SELECT *, 'alle' FROM controles
), hennep_thema AS (
    SELECT *, 'alle' AS thema FROM hennepkwekerijen
    UNION ALL SELECT *, 'hennep' FROM hennepkwekerijen
), hennep_maatregel AS (
    -- a grow site's measure, unless an inspection at that address recorded it as well
    SELECT h.* FROM hennep_thema h
    WHERE h.maatregel IN ('sluiting', 'last onder dwangsom', 'bestuurlijke waarschuwing')
      AND NOT EXISTS (
        SELECT 1 FROM controles c
        WHERE c.adres_sleutel = h.adres_sleutel AND c.maatregel = h.maatregel
          AND c.datum >= h.datum_ontmanteling AND c.datum <= h.datum_ontmanteling + INTERVAL 60 DAY)
), rijen AS (
    SELECT 'hennepkwekerijen' AS maat, thema, buurtcode, datum_ontmanteling AS dag, NULL::DOUBLE AS som
    FROM hennep_thema
    UNION ALL
    SELECT 'hennep_planten', thema, buurtcode, datum_ontmanteling, aantal_planten
    FROM hennep_thema WHERE aantal_planten IS NOT NULL
    UNION ALL
    SELECT 'verdachte_transacties', t.thema, buurtcode, datum, CAST(bedrag AS DOUBLE)
    FROM verdachte_transacties CROSS JOIN (VALUES ('alle'), ('witwassen')) AS t(thema)
    UNION ALL
    SELECT 'signalen', t.thema, buurtcode, CAST(ontvangen_op AS DATE), NULL
    FROM signalen CROSS JOIN LATERAL (VALUES ('alle'), (coalesce(thema, 'onbekend'))) AS t(thema)
    UNION ALL
    -- answerable reporters (not anonymous by type or channel) and those who got feedback
    SELECT 'signalen_beantwoordbaar', t.thema, buurtcode, CAST(ontvangen_op AS DATE), NULL
    FROM signalen CROSS JOIN LATERAL (VALUES ('alle'), (coalesce(thema, 'onbekend'))) AS t(thema)
    WHERE coalesce(melder_type, '') <> 'anoniem' AND coalesce(kanaal, '') <> 'meld misdaad anoniem'
    UNION ALL
    SELECT 'signalen_teruggekoppeld', t.thema, buurtcode, CAST(ontvangen_op AS DATE), NULL
    FROM signalen CROSS JOIN LATERAL (VALUES ('alle'), (coalesce(thema, 'onbekend'))) AS t(thema)
    WHERE coalesce(melder_type, '') <> 'anoniem' AND coalesce(kanaal, '') <> 'meld misdaad anoniem'
      AND teruggekoppeld_op IS NOT NULL
    UNION ALL
    SELECT 'controles', thema, buurtcode, datum, NULL FROM controles_thema
    UNION ALL
    SELECT 'controles_zonder_bibob', thema, buurtcode, datum, NULL FROM controles_thema
    WHERE soort <> 'bibob-toets'
    UNION ALL
    SELECT 'controles_met_bevindingen', thema, buurtcode, datum, NULL FROM controles_thema
    WHERE soort <> 'bibob-toets' AND (uitkomst = 'overtreding' OR len(coalesce(bevindingen, [])) > 0)
    UNION ALL
    SELECT 'bibob_toetsen', thema, buurtcode, datum, NULL FROM controles_thema WHERE soort = 'bibob-toets'
    UNION ALL
    SELECT 'bibob_geweigerd', thema, buurtcode, datum, NULL FROM controles_thema
    WHERE uitkomst IN ('bibob: geweigerd', 'bibob: ingetrokken')
    UNION ALL
    SELECT CASE maatregel WHEN 'sluiting' THEN 'sluitingen' WHEN 'last onder dwangsom' THEN 'dwangsommen'
                ELSE 'waarschuwingen' END, thema, buurtcode, datum_ontmanteling, NULL
    FROM hennep_maatregel
    UNION ALL
    SELECT CASE maatregel WHEN 'sluiting' THEN 'sluitingen' WHEN 'last onder dwangsom' THEN 'dwangsommen'
                ELSE 'waarschuwingen' END, thema, buurtcode, datum, CAST(bedrag_dwangsom AS DOUBLE)
    FROM controles_thema
    WHERE maatregel IN ('sluiting', 'last onder dwangsom', 'bestuurlijke waarschuwing')
    UNION ALL
    SELECT 'dwangsommen_met_bedrag', thema, buurtcode, datum, CAST(bedrag_dwangsom AS DOUBLE)
    FROM controles_thema
    WHERE maatregel = 'last onder dwangsom' AND bedrag_dwangsom IS NOT NULL
    UNION ALL
    -- the programme's own activities have no location (buurtcode NULL)
    SELECT 'activiteiten', 'alle', NULL, datum, NULL FROM activiteiten WHERE pijler IN (2, 3)
    UNION ALL
    SELECT 'activiteiten_deelnemers', 'alle', NULL, datum, deelnemers
    FROM activiteiten WHERE pijler IN (2, 3) AND deelnemers IS NOT NULL
)
SELECT maat, thema, buurtcode, dag, count(*)::BIGINT AS aantal, sum(som) AS som
FROM rijen
GROUP BY ALL;
