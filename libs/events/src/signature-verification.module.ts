import { Module } from '@nestjs/common';
import { SignatureVerificationService } from './signature-verification.service';

/**
 * The one SignatureVerificationService of a process, and so its one pool of verifier
 * threads: ingest, the sealer and the audit import this module instead of each providing
 * the service, which gave every importing module its own pool (4 threads of ~8 MB each in
 * embedded mode where 2 do the same work; BENCHMARKS.md step 13).
 */
@Module({
  providers: [SignatureVerificationService],
  exports: [SignatureVerificationService],
})
export class SignatureVerificationModule {}
