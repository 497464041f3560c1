-- The stand per and [week] settings the stored work list was made with (one row).
SELECT stand_per, instellingen FROM weeklijst_bouw
