-- The meldpunt funnel for signals received in [$van, $tot): how many signals reached each
-- stage. The stages are defined cumulatively so that each is a subset of the one before
-- (a funnel only where the stages nest; DESIGN §5):
--   1 ontvangen                  every signal
--   2 in behandeling genomen     status past 'ontvangen', or passed on, or closed
--   3 doorgezet naar een partner stage 2 and passed on (doorgezet_naar, or status 'doorgezet')
--   4 doorgezet en afgesloten    stage 3 and closed (status 'afgesloten' or afgesloten_op)
-- Signals closed without being passed on (handled by the meldpunt itself) leave the funnel
-- after stage 2: they are the row `afgesloten zonder doorzetten`, trechter = false, beside
-- the funnel and not part of it.
WITH s AS (
    SELECT * FROM signalen
    WHERE ontvangen_op >= $van AND ontvangen_op < $tot
      AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode))
      AND ($thema::VARCHAR IS NULL OR thema = $thema::VARCHAR)
), f AS (
    SELECT coalesce(status, 'ontvangen') <> 'ontvangen'
               OR doorgezet_naar IS NOT NULL OR afgesloten_op IS NOT NULL AS behandeld,
           doorgezet_naar IS NOT NULL OR coalesce(status, '') = 'doorgezet' AS doorgezet,
           coalesce(status, '') = 'afgesloten' OR afgesloten_op IS NOT NULL AS afgesloten
    FROM s
), stages AS (
    SELECT behandeld,
           behandeld AND doorgezet AS doorgezet,
           behandeld AND doorgezet AND afgesloten AS doorgezet_afgesloten,
           behandeld AND NOT doorgezet AND afgesloten AS afgesloten_zelf
    FROM f
)
SELECT * FROM (VALUES
    (1, 'ontvangen', (SELECT count(*) FROM stages), true),
    (2, 'in behandeling genomen', (SELECT count(*) FROM stages WHERE behandeld), true),
    (3, 'doorgezet naar een partner', (SELECT count(*) FROM stages WHERE doorgezet), true),
    (4, 'doorgezet en afgesloten', (SELECT count(*) FROM stages WHERE doorgezet_afgesloten), true),
    (5, 'afgesloten zonder doorzetten', (SELECT count(*) FROM stages WHERE afgesloten_zelf), false)
) AS t(volgorde, fase, aantal, trechter)
ORDER BY volgorde
