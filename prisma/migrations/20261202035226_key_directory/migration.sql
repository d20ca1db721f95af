-- CreateTable
CREATE TABLE "key_record" (
    "leaf_index" BIGINT NOT NULL,
    "participant_id" TEXT NOT NULL,
    "key_id" TEXT,
    "record" BYTEA NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "key_record_pkey" PRIMARY KEY ("leaf_index")
);

-- CreateTable
CREATE TABLE "key_checkpoint" (
    "tree_size" BIGINT NOT NULL,
    "note" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "key_checkpoint_pkey" PRIMARY KEY ("tree_size")
);

-- CreateIndex
CREATE INDEX "key_record_participant_id_leaf_index_idx" ON "key_record"("participant_id", "leaf_index");
