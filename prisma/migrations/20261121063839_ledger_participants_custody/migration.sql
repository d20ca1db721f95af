-- CreateEnum
CREATE TYPE "participant_role" AS ENUM ('MANUFACTURER', 'DISTRIBUTOR', 'DISPENSER', 'REGULATOR');

-- CreateEnum
CREATE TYPE "event_type" AS ENUM ('COMMISSION', 'PACK', 'UNPACK', 'SHIP', 'RECEIVE', 'DISPENSE', 'DECOMMISSION', 'RECALL');

-- CreateEnum
CREATE TYPE "item_role" AS ENUM ('ITEM', 'PARENT', 'LOT');

-- CreateEnum
CREATE TYPE "package_status" AS ENUM ('ACTIVE', 'IN_TRANSIT', 'DISPENSED', 'DECOMMISSIONED');

-- CreateEnum
CREATE TYPE "unit_kind" AS ENUM ('UNIT', 'LOGISTIC_UNIT');

-- CreateEnum
CREATE TYPE "severity" AS ENUM ('INFO', 'WARNING', 'CRITICAL');

-- CreateTable
CREATE TABLE "participant" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "roles" "participant_role"[],
    "company_prefixes" TEXT[],
    "license_number" TEXT NOT NULL,
    "license_authority" TEXT NOT NULL,
    "license_valid_until" TIMESTAMP(3) NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "participant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "participant_key" (
    "participant_id" TEXT NOT NULL,
    "key_id" TEXT NOT NULL,
    "public_key" BYTEA NOT NULL,
    "valid_from" TIMESTAMP(3),
    "revoked_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "participant_key_pkey" PRIMARY KEY ("participant_id","key_id")
);

-- CreateTable
CREATE TABLE "sign_in_challenge" (
    "nonce" TEXT NOT NULL,
    "participant_id" TEXT NOT NULL,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "used_at" TIMESTAMP(3),

    CONSTRAINT "sign_in_challenge_pkey" PRIMARY KEY ("nonce")
);

-- CreateTable
CREATE TABLE "ledger_event" (
    "seq" BIGSERIAL NOT NULL,
    "event_id" TEXT NOT NULL,
    "type" "event_type" NOT NULL,
    "actor" TEXT NOT NULL,
    "key_id" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "event_json" TEXT NOT NULL,
    "content_hash" BYTEA NOT NULL,
    "event_time" TIMESTAMP(3) NOT NULL,
    "accepted_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaf_index" BIGINT,
    "block_height" INTEGER,

    CONSTRAINT "ledger_event_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "event_item" (
    "identifier" TEXT NOT NULL,
    "event_seq" BIGINT NOT NULL,
    "role" "item_role" NOT NULL,
    "flag" TEXT,

    CONSTRAINT "event_item_pkey" PRIMARY KEY ("identifier","event_seq","role")
);

-- CreateTable
CREATE TABLE "unit_state" (
    "identifier" TEXT NOT NULL,
    "kind" "unit_kind" NOT NULL,
    "gtin" TEXT,
    "lot" TEXT,
    "expiry" TEXT,
    "status" "package_status" NOT NULL,
    "custodian" TEXT,
    "parent" TEXT,
    "shipment_to" TEXT,
    "shipment_from" TEXT,
    "commission_seq" BIGINT NOT NULL,
    "updated_seq" BIGINT NOT NULL,

    CONSTRAINT "unit_state_pkey" PRIMARY KEY ("identifier")
);

-- CreateTable
CREATE TABLE "recall" (
    "gtin" TEXT NOT NULL,
    "lot" TEXT NOT NULL,
    "event_seq" BIGINT NOT NULL,

    CONSTRAINT "recall_pkey" PRIMARY KEY ("gtin","lot")
);

-- CreateTable
CREATE TABLE "block" (
    "height" INTEGER NOT NULL,
    "prev_hash" TEXT NOT NULL,
    "first_leaf_index" BIGINT NOT NULL,
    "event_count" INTEGER NOT NULL,
    "tree_size" BIGINT NOT NULL,
    "root_hash" TEXT NOT NULL,
    "sealed_at" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "checkpoint" TEXT NOT NULL,

    CONSTRAINT "block_pkey" PRIMARY KEY ("height")
);

-- CreateTable
CREATE TABLE "tree_node" (
    "level" INTEGER NOT NULL,
    "index" BIGINT NOT NULL,
    "hash" BYTEA NOT NULL,

    CONSTRAINT "tree_node_pkey" PRIMARY KEY ("level","index")
);

-- CreateTable
CREATE TABLE "alert" (
    "id" BIGSERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "severity" "severity" NOT NULL,
    "message" TEXT NOT NULL,
    "identifier" TEXT,
    "event_id" TEXT,
    "participant_id" TEXT,
    "raised_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dedup_key" TEXT,

    CONSTRAINT "alert_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "sign_in_challenge_expires_at_idx" ON "sign_in_challenge"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "ledger_event_event_id_key" ON "ledger_event"("event_id");

-- CreateIndex
CREATE UNIQUE INDEX "ledger_event_leaf_index_key" ON "ledger_event"("leaf_index");

-- CreateIndex
CREATE INDEX "ledger_event_leaf_index_seq_idx" ON "ledger_event"("leaf_index", "seq");

-- CreateIndex
CREATE INDEX "ledger_event_actor_seq_idx" ON "ledger_event"("actor", "seq");

-- CreateIndex
CREATE INDEX "event_item_event_seq_idx" ON "event_item"("event_seq");

-- CreateIndex
CREATE INDEX "unit_state_gtin_lot_identifier_idx" ON "unit_state"("gtin", "lot", "identifier");

-- CreateIndex
CREATE INDEX "unit_state_parent_idx" ON "unit_state"("parent");

-- CreateIndex
CREATE UNIQUE INDEX "block_first_leaf_index_key" ON "block"("first_leaf_index");

-- CreateIndex
CREATE UNIQUE INDEX "block_tree_size_key" ON "block"("tree_size");

-- CreateIndex
CREATE UNIQUE INDEX "block_hash_key" ON "block"("hash");

-- CreateIndex
CREATE UNIQUE INDEX "alert_dedup_key_key" ON "alert"("dedup_key");

-- CreateIndex
CREATE INDEX "alert_code_id_idx" ON "alert"("code", "id");

-- CreateIndex
CREATE INDEX "alert_participant_id_id_idx" ON "alert"("participant_id", "id");

-- CreateIndex
CREATE INDEX "alert_raised_at_idx" ON "alert"("raised_at");

-- AddForeignKey
ALTER TABLE "participant_key" ADD CONSTRAINT "participant_key_participant_id_fkey" FOREIGN KEY ("participant_id") REFERENCES "participant"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "event_item" ADD CONSTRAINT "event_item_event_seq_fkey" FOREIGN KEY ("event_seq") REFERENCES "ledger_event"("seq") ON DELETE RESTRICT ON UPDATE CASCADE;
