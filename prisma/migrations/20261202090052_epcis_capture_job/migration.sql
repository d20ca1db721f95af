-- CreateTable
CREATE TABLE "epcis_capture_job" (
    "capture_id" UUID NOT NULL,
    "owner" TEXT NOT NULL,
    "behaviour" TEXT NOT NULL,
    "errors" JSONB NOT NULL DEFAULT '[]',
    "success" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeat_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMP(3),

    CONSTRAINT "epcis_capture_job_pkey" PRIMARY KEY ("capture_id")
);

-- CreateIndex
CREATE INDEX "epcis_capture_job_created_at_idx" ON "epcis_capture_job"("created_at");
