-- Closures ordered by the mayor: after grow sites and after inspections.
SELECT (SELECT count(*) FROM hennepkwekerijen
        WHERE maatregel = 'sluiting' AND datum_ontmanteling >= $van AND datum_ontmanteling < $tot AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode)))
     + (SELECT count(*) FROM controles
        WHERE maatregel = 'sluiting' AND datum >= $van AND datum < $tot AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode))) AS waarde
