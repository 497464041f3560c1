-- The secondary cells searched at load (etl/protection.py) for the data's stand per $stand_per:
-- no rows at all when the search was not made for it (an older database), see lattice.stored.
SELECT b.laag, b.gebied, b.periode, s.stand_per
FROM bescherming_stand s LEFT JOIN bescherming b ON true
WHERE s.stand_per = $stand_per
