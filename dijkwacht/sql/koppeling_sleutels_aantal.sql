-- How many linked keys there are (koppeling_sleutels, built at load).
SELECT count(*) AS aantal FROM koppeling_sleutels
