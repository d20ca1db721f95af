import { parseCosignerVkey } from '@custos/ledger/cosignature';
import type { VerifierKey } from '@custos/ledger/note';

/** `<name>+<key ID hex>`: how a witness key is named in storage and logs. */
export function witnessId(key: VerifierKey): string {
  return `${key.name}+${key.keyId.toString(16).padStart(8, '0')}`;
}

export function witnessIdOf(vkey: string): string {
  return witnessId(parseCosignerVkey(vkey));
}
