-- The work list's data kinds as stored at load (etl/week_list.py); week.items orders them.
SELECT id, soort, prioriteit, score, sinds, laatste, regel, uitleg, wijkcode, buurtcode, focus, thema, koppelingen
FROM weeklijst
