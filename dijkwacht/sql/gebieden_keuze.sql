-- The areas a viewer can choose: wijken, buurten (land only) and focus areas, with names.
SELECT 'wijk' AS soort, wijkcode AS code, naam, wijkcode AS wijk FROM wijken
UNION ALL
SELECT 'buurt', buurtcode, naam, wijkcode FROM buurten WHERE NOT water
UNION ALL
SELECT DISTINCT 'focus', gebied, gebied, NULL FROM gebieden
ORDER BY soort, code
