import {
  SignatureVerificationService,
  type VerifyRequest,
} from '@custos/events/signature-verification.service';
import { publicKeyOf, sign } from '@custos/ledger/ed25519';
import { utf8ToBytes } from '@custos/ledger/bytes';
import { SignatureVerdicts } from './signature-verdicts';

/** Counts what reaches the verifier. */
class CountingVerifier extends SignatureVerificationService {
  readonly asked: number[] = [];
  override verifyAll(requests: readonly VerifyRequest[]): Promise<boolean[]> {
    this.asked.push(requests.length);
    return super.verifyAll(requests);
  }
}

const seed = new Uint8Array(32).fill(7);
const publicKey = publicKeyOf(seed);
const signed = (text: string): VerifyRequest => {
  const message = utf8ToBytes(text);
  return { message, signature: sign(message, seed), publicKey };
};

describe('SignatureVerdicts', () => {
  const verifier = new CountingVerifier();
  afterAll(() => verifier.onModuleDestroy());
  beforeEach(() => verifier.asked.splice(0));

  it('takes the prefetched verdicts of the same requests and verifies only the others', async () => {
    const verdicts = new SignatureVerdicts(verifier);
    const a = signed('a');
    const b = { ...signed('b'), signature: signed('x').signature }; // does not verify
    verdicts.prefetch(Promise.resolve([a, b]));
    const c = signed('c');
    expect(await verdicts.decide([a, b, c])).toEqual([true, false, true]);
    expect(verifier.asked).toEqual([2, 1]);
  });

  it('reuses a verdict only for the same bytes: another message under the same signature is verified', async () => {
    const verdicts = new SignatureVerdicts(verifier);
    const a = signed('a');
    verdicts.prefetch(Promise.resolve([a]));
    const forged = { ...a, message: utf8ToBytes('A') };
    expect(await verdicts.decide([forged])).toEqual([false]);
    expect(verifier.asked).toEqual([1, 1]);
    // A prefetch serves one decision: the next verifies everything again.
    expect(await verdicts.decide([a])).toEqual([true]);
    expect(verifier.asked).toEqual([1, 1, 1]);
  });

  it('a failed prefetch costs only the verification', async () => {
    const verdicts = new SignatureVerdicts(verifier);
    verdicts.prefetch(Promise.reject(new Error('read failed')));
    expect(await verdicts.decide([signed('a')])).toEqual([true]);
    expect(verifier.asked).toEqual([1]);
  });
});
