-- The wijken of the municipality with a display name; `land` is false for a wijk that is
-- only water (it has no name and no records can lie in it).
SELECT w.wijkcode, coalesce(w.naam, 'Water (' || w.wijkcode || ')') AS naam,
       EXISTS (SELECT 1 FROM buurten b WHERE b.wijkcode = w.wijkcode AND NOT b.water) AS land
FROM wijken w
ORDER BY w.wijkcode
