-- The meldpunt funnel for signals received in [$van, $tot): per stage how many signals
-- reached it (`bereikt`) and how many are in it now (`nu`). "doorgezet" is reached when a
-- signal was passed on (also when it was closed afterwards); "afgesloten" can be reached
-- without passing on, so the stages are not strictly nested.
WITH s AS (
    SELECT * FROM signalen
    WHERE ontvangen_op >= $van AND ontvangen_op < $tot
      AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode))
      AND ($thema::VARCHAR IS NULL OR thema = $thema::VARCHAR)
)
SELECT * FROM (VALUES
    (1, 'ontvangen', (SELECT count(*) FROM s), (SELECT count(*) FROM s WHERE status = 'ontvangen')),
    (2, 'in behandeling', (SELECT count(*) FROM s WHERE coalesce(status, 'ontvangen') <> 'ontvangen'),
                          (SELECT count(*) FROM s WHERE status = 'in behandeling')),
    (3, 'doorgezet', (SELECT count(*) FROM s WHERE status = 'doorgezet' OR doorgezet_naar IS NOT NULL),
                     (SELECT count(*) FROM s WHERE status = 'doorgezet')),
    (4, 'afgesloten', (SELECT count(*) FROM s WHERE status = 'afgesloten'),
                      (SELECT count(*) FROM s WHERE status = 'afgesloten'))
) AS t(volgorde, fase, bereikt, nu)
ORDER BY volgorde
