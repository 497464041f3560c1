-- The week (dijkwacht/week.py), "stijging": per layer ($lagen, facts of the measure
-- registry) and area, the count in the tested month [$maand, $maand + 1 month) beside the
-- count in the baseline [$basis_vanaf, $maand) — the rule itself is in week.py.
-- Areas: every buurt, every wijk (all its buurten, 2024-only codes included) and every focus
-- area (a wijk code in its mapping stands for its buurten). An area with exactly the buurten
-- of another is tested once, as the lower level (buurt before wijk before focus area): the
-- focus area Lijnbaan is the buurt BU05050202, Centrum/binnenstad is the wijk WK050501.
-- Records without a known buurt count in no area. `eerste_dag`: the layer's first record in
-- the city (a baseline starting before it is incomplete: not tested). `wijkcode`: the wijk
-- the area lies in, when one; `focus`: the focus areas it lies in wholly.
WITH leden AS (
    SELECT 'buurt' AS niveau, buurtcode AS gebied, buurtcode, wijkcode FROM buurten
    UNION ALL
    SELECT 'wijk', wijkcode, buurtcode, wijkcode FROM buurten
    UNION ALL
    SELECT DISTINCT 'focus', g.gebied, b.buurtcode, b.wijkcode
    FROM gebieden g JOIN buurten b ON g.buurtcode = b.buurtcode OR g.buurtcode = b.wijkcode
), gebieden_alle AS (
    SELECT niveau, gebied,
           list(buurtcode ORDER BY buurtcode) AS buurten,
           CASE WHEN count(DISTINCT wijkcode) = 1 THEN min(wijkcode) END AS wijkcode,
           CASE niveau WHEN 'buurt' THEN 1 WHEN 'wijk' THEN 2 ELSE 3 END AS rang
    FROM leden
    GROUP BY niveau, gebied
), getest AS (
    SELECT * FROM gebieden_alle
    QUALIFY row_number() OVER (PARTITION BY buurten ORDER BY rang, gebied) = 1
), focus_van AS (
    -- the focus areas an area lies in wholly
    SELECT t.niveau, t.gebied, list(DISTINCT f.gebied ORDER BY f.gebied) AS focus
    FROM getest t
    JOIN gebieden_alle f ON f.niveau = 'focus' AND list_has_all(f.buurten, t.buurten)
    GROUP BY t.niveau, t.gebied
), tellingen AS (
    SELECT maat AS laag, buurtcode,
           sum(aantal) FILTER (WHERE dag >= CAST($maand AS DATE)) AS aantal,
           sum(aantal) FILTER (WHERE dag < CAST($maand AS DATE)) AS basis,
           max(dag) FILTER (WHERE dag >= CAST($maand AS DATE)) AS laatste_dag
    FROM feiten
    WHERE thema = 'alle' AND list_contains($lagen::VARCHAR[], maat) AND buurtcode IS NOT NULL
      AND dag >= CAST($basis_vanaf AS DATE)
      AND dag < CAST($maand AS DATE) + INTERVAL 1 MONTH
    GROUP BY maat, buurtcode
), eerste AS (
    SELECT maat AS laag, min(dag) AS eerste_dag
    FROM feiten
    WHERE thema = 'alle' AND list_contains($lagen::VARCHAR[], maat)
    GROUP BY maat
), lagen AS (
    SELECT unnest($lagen::VARCHAR[]) AS laag
)
SELECT l.laag, t.niveau, t.gebied,
       CAST(coalesce(sum(c.aantal), 0) AS BIGINT) AS aantal,
       CAST(coalesce(sum(c.basis), 0) AS BIGINT) AS basis,
       max(c.laatste_dag) AS laatste_dag,
       any_value(e.eerste_dag) AS eerste_dag,
       any_value(t.wijkcode) AS wijkcode,
       coalesce(any_value(fv.focus), []::VARCHAR[]) AS focus
FROM lagen l
CROSS JOIN getest t
JOIN leden m ON m.niveau = t.niveau AND m.gebied = t.gebied
LEFT JOIN tellingen c ON c.laag = l.laag AND c.buurtcode = m.buurtcode
LEFT JOIN eerste e ON e.laag = l.laag
LEFT JOIN focus_van fv ON fv.niveau = t.niveau AND fv.gebied = t.gebied
GROUP BY l.laag, t.niveau, t.gebied
ORDER BY l.laag, t.niveau, t.gebied
