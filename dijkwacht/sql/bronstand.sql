-- Per source: how current it is, where it starts and how many rows it holds.
SELECT bron, stand_per, geladen_op, rijen, eerste_datum
FROM bronstand
ORDER BY bron
