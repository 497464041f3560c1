-- Per source: how current it is and how many rows it holds.
SELECT bron, stand_per, geladen_op, rijen
FROM bronstand
ORDER BY bron
