-- AlterTable
ALTER TABLE "participant_key" ADD COLUMN     "attestation" BYTEA;

-- CreateTable
CREATE TABLE "item_tally" (
    "key" TEXT NOT NULL,
    "event_count" BIGINT NOT NULL,
    "last_seq" BIGINT NOT NULL,

    CONSTRAINT "item_tally_pkey" PRIMARY KEY ("key")
);

-- The tallies of a ledger that predates them, from its index as it stands (the audit
-- rebuilds the index from the signed log and reports any difference).
INSERT INTO "item_tally" ("key", "event_count", "last_seq")
SELECT "identifier", count(*), max("event_seq") FROM "event_item" WHERE "role" <> 'LOT' GROUP BY "identifier";
INSERT INTO "item_tally" ("key", "event_count", "last_seq")
SELECT 'recall:' || "gtin", count(*), max("event_seq") FROM "recall" GROUP BY "gtin";
