-- Facilitating vestigingen active at the end of [$van, $tot) within $buurten (NULL = the
-- city): registrations minus closures before $tot, from the fact table (feiten_branches.sql).
-- A stock, not a sum over the period: the registry's UNIEK measure branches_actief. $van
-- only guards an empty period (the registry binds van, tot and buurten to every query).
SELECT coalesce(sum(CASE maat WHEN 'branche_inschrijvingen' THEN aantal ELSE -aantal END), 0)::BIGINT AS waarde
FROM feiten
WHERE maat IN ('branche_inschrijvingen', 'branche_opheffingen') AND thema = 'alle' AND dag < $tot
  AND $van::DATE < $tot::DATE
  AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode))
