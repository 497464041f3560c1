-- Orders subject to a penalty (last onder dwangsom), after grow sites and inspections.
SELECT (SELECT count(*) FROM hennepkwekerijen
        WHERE maatregel = 'last onder dwangsom' AND datum_ontmanteling >= $van AND datum_ontmanteling < $tot AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode)))
     + (SELECT count(*) FROM controles
        WHERE maatregel = 'last onder dwangsom' AND datum >= $van AND datum < $tot AND ($buurten::VARCHAR[] IS NULL OR list_contains($buurten::VARCHAR[], buurtcode))) AS waarde
