-- Share of answerable reporters (not anonymous by type or channel) who got feedback, %.
SELECT round(100.0 * count(teruggekoppeld_op) / nullif(count(*), 0), 1) AS waarde
FROM signalen
WHERE ontvangen_op >= $van AND ontvangen_op < $tot
  AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode))
  AND coalesce(melder_type, '') <> 'anoniem'
  AND coalesce(kanaal, '') <> 'meld misdaad anoniem'
