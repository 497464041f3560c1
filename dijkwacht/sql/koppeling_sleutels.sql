-- The linked keys (built at load: koppeling_sleutels), ranked by the score of
-- linkage.SCORE_UITLEG: 10 × sources + min(records, 5) + recency, where recency counts
-- from the data's stand per ($stand_per) as linkage.RECENCY: 4 within 90 days, 3 within
-- 1 year, 2 within 2 years, 1 within 5 years, else 0. The first $limit (NULL = all).
-- Key-level data: "detail" permission only.
SELECT sleutel, sleutel_soort, bronnen, aantal_bronnen, registraties,
       hennepkwekerijen, verdachte_transacties, signalen, controles, eigendommen,
       eerste, laatste,
       CAST(10 * aantal_bronnen + least(registraties, 5)
            + CASE WHEN CAST($stand_per AS DATE) - laatste <= 90 THEN 4
                   WHEN CAST($stand_per AS DATE) - laatste <= 365 THEN 3
                   WHEN CAST($stand_per AS DATE) - laatste <= 730 THEN 2
                   WHEN CAST($stand_per AS DATE) - laatste <= 1826 THEN 1
                   ELSE 0 END AS BIGINT) AS score
FROM koppeling_sleutels
ORDER BY score DESC, laatste DESC NULLS LAST, sleutel
LIMIT $limit
