-- The sealer's queue of work is the events without a leaf index, oldest first. On a large
-- ledger that has not been analysed (autovacuum may be off) the planner found the oldest
-- through the primary key, filtering out every sealed event on the way (1.0-1.6 s on 968k
-- events, BENCHMARKS.md). This index holds only the pending events, so every plan for them
-- stays small whatever the statistics say. schema.prisma cannot express a partial index,
-- and the drift check (migrations.spec.ts) leaves it alone, as it does the ship_to index.
CREATE INDEX "ledger_event_pending_idx" ON "ledger_event" ("seq") WHERE "leaf_index" IS NULL;
