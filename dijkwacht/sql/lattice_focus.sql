-- The focus areas with all their buurten as the area filter counts them (gebied_buurten.sql:
-- a wijk code expands to its buurten, 2024-only codes included).
SELECT g.gebied, list(DISTINCT b.buurtcode ORDER BY b.buurtcode) AS buurtcodes
FROM gebieden g
JOIN buurten b ON (g.buurtcode = b.buurtcode OR g.buurtcode = b.wijkcode)
GROUP BY g.gebied
ORDER BY g.gebied
