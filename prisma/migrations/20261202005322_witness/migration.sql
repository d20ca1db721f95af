-- CreateTable
CREATE TABLE "witness_log_state" (
    "origin" TEXT NOT NULL,
    "tree_size" BIGINT NOT NULL,
    "root_hash" BYTEA NOT NULL,
    "checkpoint" TEXT NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "witness_log_state_pkey" PRIMARY KEY ("origin")
);

-- CreateTable
CREATE TABLE "checkpoint_cosignature" (
    "tree_size" BIGINT NOT NULL,
    "witness" TEXT NOT NULL,
    "line" TEXT NOT NULL,
    "signed_at" TIMESTAMP(3) NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "checkpoint_cosignature_pkey" PRIMARY KEY ("tree_size","witness")
);
