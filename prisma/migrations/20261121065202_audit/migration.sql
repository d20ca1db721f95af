-- CreateEnum
CREATE TYPE "audit_status" AS ENUM ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED');

-- CreateTable
CREATE TABLE "audit_run" (
    "id" BIGSERIAL NOT NULL,
    "status" "audit_status" NOT NULL,
    "requested_by" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMP(3),
    "finished_at" TIMESTAMP(3),
    "tree_size" BIGINT NOT NULL,
    "block_count" INTEGER NOT NULL,
    "next_leaf" BIGINT NOT NULL DEFAULT 0,
    "next_block" INTEGER NOT NULL DEFAULT 0,
    "frontier" BYTEA NOT NULL DEFAULT '\x',
    "prev_hash" TEXT,
    "prev_root" TEXT,
    "elapsed_ms" BIGINT NOT NULL DEFAULT 0,
    "resumes" INTEGER NOT NULL DEFAULT 0,
    "discrepancy_count" INTEGER NOT NULL DEFAULT 0,
    "lease_owner" TEXT,
    "lease_until" TIMESTAMP(3),
    "error" TEXT,

    CONSTRAINT "audit_run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_discrepancy" (
    "id" BIGSERIAL NOT NULL,
    "run_id" BIGINT NOT NULL,
    "kind" TEXT NOT NULL,
    "block_height" INTEGER,
    "leaf_index" BIGINT,
    "message" TEXT NOT NULL,

    CONSTRAINT "audit_discrepancy_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "audit_run_status_idx" ON "audit_run"("status");

-- CreateIndex
CREATE INDEX "audit_discrepancy_run_id_id_idx" ON "audit_discrepancy"("run_id", "id");

-- AddForeignKey
ALTER TABLE "audit_discrepancy" ADD CONSTRAINT "audit_discrepancy_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "audit_run"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
