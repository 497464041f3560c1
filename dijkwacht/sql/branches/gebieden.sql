-- Per buurt its wijk and the focus areas (the programme's areas, industrial estates among
-- them) it lies in; a wijk code in a focus area's mapping stands for its buurten, as in
-- gebied_buurten.sql. With names, for the location quotient per area level.
SELECT b.buurtcode, b.naam AS buurtnaam, b.wijkcode, w.naam AS wijknaam,
       coalesce(list(DISTINCT g.gebied ORDER BY g.gebied) FILTER (WHERE g.gebied IS NOT NULL),
                []::VARCHAR[]) AS focus
FROM buurten b
LEFT JOIN wijken w ON w.wijkcode = b.wijkcode
LEFT JOIN gebieden g ON g.buurtcode = b.buurtcode OR g.buurtcode = b.wijkcode
WHERE NOT b.water
GROUP BY ALL
ORDER BY b.buurtcode
