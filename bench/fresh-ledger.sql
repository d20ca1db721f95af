-- A freshly loaded, never-analysed ledger for EXPLAIN (ANALYZE, BUFFERS) of the product's
-- statements (BENCHMARKS.md steps 7 and 8): C cases of 10 units, each with a 15-event trail
-- (10 COMMISSION, PACK, SHIP, RECEIVE, SHIP, RECEIVE), then one-item SHIP filler to N
-- events, with their event_item, item_tally, unit_state and block rows. Into a database
-- freshly migrated (its tables created empty, so reltuples stays -1):
--   psql -d DB -v ON_ERROR_STOP=1 -f bench/fresh-ledger.sql   (about 70 s for 1,000,000)
-- then run the statement with SET jit = off; SET random_page_cost = 1.1 (the pool's).
\set C 20000
\set N 1000000
INSERT INTO participant (id, name, roles, company_prefixes, license_number, license_authority, license_valid_until)
SELECT 'p' || g, 'P' || g, '{}', '{}', 'l', 'a', now() + interval '1 year' FROM generate_series(0, 27) g;
INSERT INTO participant_key (participant_id, key_id, public_key)
SELECT 'p' || g, 'k1', '\x00' FROM generate_series(0, 27) g;
INSERT INTO ledger_event (seq, event_id, type, actor, key_id, signature, event_json, content_hash, event_time, leaf_index, block_height)
SELECT g, 'e' || g,
       (CASE WHEN g > :C * 15 THEN 'SHIP'
             WHEN (g - 1) % 15 < 10 THEN 'COMMISSION'
             WHEN (g - 1) % 15 = 10 THEN 'PACK'
             WHEN (g - 1) % 15 IN (11, 13) THEN 'SHIP' ELSE 'RECEIVE' END)::event_type,
       'p' || (g % 28), 'k1', repeat('s', 86), '{"to":"' || repeat('x', 300) || '"}', '\x00', now(),
       g - 1, (g - 1) / 5000
FROM generate_series(1, :N) g;
SELECT setval(pg_get_serial_sequence('ledger_event', 'seq'), :N);
-- unit identifiers u<case>-<k>, cases c<case>, filler items f<g>
INSERT INTO event_item (identifier, event_seq, role)
SELECT CASE WHEN g > :C * 15 THEN 'f' || g
            WHEN (g - 1) % 15 < 10 THEN 'u' || ((g - 1) / 15) || '-' || ((g - 1) % 15)
            ELSE 'c' || ((g - 1) / 15) END,
       g, (CASE WHEN g <= :C * 15 AND (g - 1) % 15 = 10 THEN 'PARENT' ELSE 'ITEM' END)::item_role
FROM generate_series(1, :N) g;
INSERT INTO event_item (identifier, event_seq, role)
SELECT 'u' || c || '-' || k, c * 15 + 11, 'ITEM' FROM generate_series(0, :C - 1) c, generate_series(0, 9) k;
INSERT INTO item_tally (key, event_count, last_seq)
SELECT identifier, count(*), max(event_seq) FROM event_item WHERE role <> 'LOT' GROUP BY identifier;
INSERT INTO unit_state (identifier, kind, gtin, lot, status, custodian, parent, commission_seq, updated_seq)
SELECT 'c' || c, 'LOGISTIC_UNIT', NULL, NULL, 'ACTIVE', 'p' || (c % 20), NULL, c * 15 + 11, c * 15 + 15 FROM generate_series(0, :C - 1) c;
INSERT INTO unit_state (identifier, kind, gtin, lot, status, custodian, parent, commission_seq, updated_seq)
SELECT 'u' || c || '-' || k, 'UNIT', '0950600013435' || (c % 3), 'L' || (c / 200), 'ACTIVE', 'p' || (c % 3), 'c' || c, c * 15 + k + 1, c * 15 + 15
FROM generate_series(0, :C - 1) c, generate_series(0, 9) k;
INSERT INTO recall (gtin, lot, event_seq) SELECT '0950600013435' || (g % 3), 'L' || g, g FROM generate_series(1, 5) g;
INSERT INTO block (height, prev_hash, first_leaf_index, event_count, tree_size, root_hash, sealed_at, hash, checkpoint)
SELECT h, 'p' || h, h * 5000, 5000, (h + 1) * 5000, 'r', '2026', 'h' || h, 'cp' FROM generate_series(0, :N / 5000 - 1) h;
