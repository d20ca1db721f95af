-- CreateTable
CREATE TABLE "epcis_named_query" (
    "name" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "query" JSONB NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "epcis_named_query_pkey" PRIMARY KEY ("name")
);
