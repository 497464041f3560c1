-- The week (dijkwacht/week.py): per buurt its wijk and the programme's focus areas it lies
-- in (a wijk code in a focus area's mapping stands for its buurten, as gebied_buurten.sql).
SELECT b.buurtcode, b.wijkcode,
       coalesce(list(DISTINCT g.gebied ORDER BY g.gebied) FILTER (WHERE g.gebied IS NOT NULL),
                []::VARCHAR[]) AS focus
FROM buurten b
LEFT JOIN gebieden g ON g.buurtcode = b.buurtcode OR g.buurtcode = b.wijkcode
GROUP BY b.buurtcode, b.wijkcode
ORDER BY b.buurtcode
