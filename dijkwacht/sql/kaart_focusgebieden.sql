-- The focus areas with their buurten on the 2020 map (a wijk code in the mapping expands to
-- its buurten). Overlays that may overlap: shown one at a time, never added up.
SELECT g.gebied, any_value(g.status) AS status, list(DISTINCT b.buurtcode ORDER BY b.buurtcode) AS buurtcodes
FROM gebieden g
JOIN buurten b ON (g.buurtcode = b.buurtcode OR g.buurtcode = b.wijkcode)
WHERE b.in_2020 AND NOT b.water
GROUP BY g.gebied
ORDER BY g.gebied
