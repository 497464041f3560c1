-- The buurt codes of one area: a wijk (all its buurten, 2024-only codes included), a
-- buurt, or a focus area (an overlay; a wijk code in its mapping expands to its buurten).
-- $soort: 'wijk' | 'buurt' | 'focus'; $code: the wijk/buurt code or the focus area's name.
SELECT DISTINCT b.buurtcode
FROM buurten b
WHERE ($soort = 'wijk' AND b.wijkcode = upper($code))
   OR ($soort = 'buurt' AND b.buurtcode = upper($code))
   OR ($soort = 'focus' AND EXISTS (
        SELECT 1 FROM gebieden g
        WHERE g.gebied = $code AND (g.buurtcode = b.buurtcode OR g.buurtcode = b.wijkcode)))
ORDER BY b.buurtcode
