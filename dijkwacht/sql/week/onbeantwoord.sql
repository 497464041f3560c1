-- The week (dijkwacht/week.py), "onbeantwoord": open signals (no closing date) of reporters
-- who can be answered (not anonymous by type or channel, as the fact table's
-- signalen_beantwoordbaar) without feedback (teruggekoppeld_op empty), received in
-- [$venster_vanaf, $termijn_tot] — so longer ago than the term promised to reporters.
SELECT s.signaalnummer, CAST(s.ontvangen_op AS DATE) AS ontvangen, s.thema, s.status,
       s.doorgezet_naar, s.adres_sleutel, s.buurtcode
FROM signalen s
WHERE s.teruggekoppeld_op IS NULL AND s.afgesloten_op IS NULL
  AND coalesce(s.melder_type, '') <> 'anoniem' AND coalesce(s.kanaal, '') <> 'meld misdaad anoniem'
  AND CAST(s.ontvangen_op AS DATE) >= CAST($venster_vanaf AS DATE)
  AND CAST(s.ontvangen_op AS DATE) <= CAST($termijn_tot AS DATE)
ORDER BY ontvangen, s.signaalnummer
