-- Registration and closure dates per vestiging (no keys) within the area filter, for
-- registrations, closures and quick closures per branche and year (branches.turnover).
SELECT sbi_code, datum_inschrijving, datum_opheffing, buurtcode
FROM vestigingen
WHERE ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode))
