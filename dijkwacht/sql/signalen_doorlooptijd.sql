-- Feedback and lead times for signals received in [$van, $tot). Answerable reporters are
-- those not anonymous by type or channel (DESIGN §5); days count from the receipt date.
WITH s AS (
    SELECT *, CAST(ontvangen_op AS DATE) AS ontvangen_dag,
           coalesce(melder_type, '') <> 'anoniem' AND coalesce(kanaal, '') <> 'meld misdaad anoniem' AS aanspreekbaar
    FROM signalen
    WHERE ontvangen_op >= $van AND ontvangen_op < $tot
      AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode))
      AND ($thema::VARCHAR IS NULL OR thema = $thema::VARCHAR)
)
SELECT count(*) FILTER (WHERE aanspreekbaar) AS aanspreekbaar,
       count(teruggekoppeld_op) FILTER (WHERE aanspreekbaar) AS teruggekoppeld,
       round(100.0 * count(teruggekoppeld_op) FILTER (WHERE aanspreekbaar)
             / nullif(count(*) FILTER (WHERE aanspreekbaar), 0), 1) AS teruggekoppeld_pct,
       CAST(median(teruggekoppeld_op - ontvangen_dag) FILTER (WHERE aanspreekbaar) AS DOUBLE) AS dagen_tot_terugkoppeling,
       CAST(median(afgesloten_op - ontvangen_dag) AS DOUBLE) AS dagen_tot_afsluiting
FROM s
