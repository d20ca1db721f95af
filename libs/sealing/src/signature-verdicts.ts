// Signature verdicts decided ahead of the seal transaction that needs them. While a
// backlog is sealed, the next batch's signatures are verified (worker threads) during the
// current batch's write, so the next transaction finds most of its verdicts made. A
// verdict is a pure function of its request (message, signature, key), and is reused
// only for a request with the same bytes: the rows are still read and every other check
// made under the sequencer lock; only the Ed25519 arithmetic is not done twice.
import { hash } from 'node:crypto';
import type {
  SignatureVerificationService,
  VerifyRequest,
} from '@custos/events/signature-verification.service';

/** SHA-256 of signature ‖ public key ‖ message (the first two fixed-length: unambiguous). */
function requestId(r: VerifyRequest): string {
  return hash('sha256', Buffer.concat([r.signature, r.publicKey, r.message]), 'hex');
}

export class SignatureVerdicts {
  private ahead: Promise<Map<string, boolean>> | undefined;

  constructor(private readonly signatures: SignatureVerificationService) {}

  /** Starts deciding `requests` now, for the next `decide` (replacing any earlier start). */
  prefetch(requests: Promise<readonly VerifyRequest[]>): void {
    const ahead = requests.then(async (list) => {
      const verdicts = await this.signatures.verifyAll(list);
      return new Map(list.map((r, i) => [requestId(r), verdicts[i]!]));
    });
    ahead.catch(() => undefined); // a failed prefetch only means verifying in `decide`
    this.ahead = ahead;
  }

  /** One verdict per request, in order: the prefetched ones taken, the rest verified now. */
  async decide(requests: readonly VerifyRequest[]): Promise<boolean[]> {
    const ahead = this.ahead;
    this.ahead = undefined;
    const known = ahead
      ? await ahead.catch(() => new Map<string, boolean>())
      : new Map<string, boolean>();
    if (known.size === 0) return this.signatures.verifyAll(requests);
    const results = new Array<boolean>(requests.length);
    const missing: number[] = [];
    requests.forEach((r, i) => {
      const verdict = known.get(requestId(r));
      if (verdict === undefined) missing.push(i);
      else results[i] = verdict;
    });
    if (missing.length > 0) {
      const verified = await this.signatures.verifyAll(missing.map((i) => requests[i]!));
      missing.forEach((i, j) => (results[i] = verified[j]!));
    }
    return results;
  }

  /** Resolves when no prefetch is running. */
  async idle(): Promise<void> {
    await this.ahead?.catch(() => undefined);
  }
}
