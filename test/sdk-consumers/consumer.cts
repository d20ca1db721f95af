// The CommonJS side of consumer.mts: the same declarations resolved by `require`
// (nodenext, the exports map's require condition). Type-checked, never run.
import { CustosClient } from 'custos/sdk/client';
import { generateKey } from 'custos/sdk/keys';

export async function signIn(url: string, participantId: string): Promise<string | undefined> {
  const client = new CustosClient({ url });
  await client.signIn(generateKey('k1', participantId));
  // @ts-expect-error the token is a string, not a number
  const wrong: number = client.token;
  return client.token ?? String(wrong);
}
