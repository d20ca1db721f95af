// A TypeScript consumer of the SDK, as a third party writes one: `custos/sdk/…` by the
// package's exports map, resolved to the built dist/libs/sdk and the declarations the
// build emits beside it. Never run; test/e2e/sdk-consumers.e2e.spec.ts type-checks it
// (tsconfig.json here: strict, nodenext, no path aliases) so that a missing or loose
// declaration fails: without types every import would be an error (TS7016), and with
// `any` the @ts-expect-error lines would be unused.
import { ALERTS_MAX_PAGE, CustosClient, type SubmitReport } from 'custos/sdk/client';
import { CustosRequestError } from 'custos/sdk/errors';
import { createSignedEvent, verifySignedEvent } from 'custos/sdk/events';
import { type CustosKey, generateKey } from 'custos/sdk/keys';
import type { Alert, Verification } from 'custos/sdk/types';

export async function firstEvent(url: string, participantId: string): Promise<boolean> {
  const key: CustosKey = generateKey('k1', participantId);
  const client = new CustosClient({ url, key, onSession: (s) => console.log(s.expiresAt) });
  await client.signIn(key);
  const signed = createSignedEvent(key, 'DISPENSE', { items: ['urn:epc:id:sgtin:1.2.3'] });
  const report: SubmitReport = await client.submit([signed]);
  const verdict: Verification['verdict'] = (await client.verify('(01)09506000134352(21)X')).verdict;
  const alerts: Alert[] = await client.alertList({ severity: 'CRITICAL' }, ALERTS_MAX_PAGE);
  // @ts-expect-error submit takes signed events, not strings
  await client.submit(['not an event']);
  // @ts-expect-error an event type the SPEC does not have
  createSignedEvent(key, 'TELEPORT', { items: [] });
  try {
    await client.checkpoint();
  } catch (err) {
    if (err instanceof CustosRequestError) console.log(err.code, err.status);
  }
  return report.ok && verifySignedEvent(signed, key.publicKey) && !!verdict && alerts.length >= 0;
}
