-- No statement filters or joins on these columns' contents: the event log's documents and the
-- sealed values (ciphertext). ANALYZE's statistics on them plan nothing, yet computing them
-- (detoasting and comparing a sample of ~1 KB documents) was most of what ANALYZE cost: on a
-- 40,000-event log 450-530 ms for `events` against 121-126 ms without them, 82-134 ms for
-- `members` against 37-39 ms. Autovacuum analyzes these tables after every import and as the
-- log grows, on the cores provision shares: in the freshness benchmark its pass over the tables
-- an import had just filled slowed provision's commits from ~10 ms to 70-190 ms for over a
-- second (docs/performance.md, "Freshness: the settle wait and PostgreSQL's maintenance after
-- the import").
ALTER TABLE events ALTER COLUMN data SET STATISTICS 0, ALTER COLUMN metadata SET STATISTICS 0;
ALTER TABLE members ALTER COLUMN profile SET STATISTICS 0, ALTER COLUMN passphrase SET STATISTICS 0;
ALTER TABLE member_keys ALTER COLUMN wrapped_key SET STATISTICS 0;
ALTER TABLE handshake_pmks ALTER COLUMN pmk SET STATISTICS 0;
