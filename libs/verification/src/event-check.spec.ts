import { publicKeyOf, randomSecretKey } from '@custos/ledger/ed25519';
import { type EventObject, leafInput, signEvent } from '@custos/ledger/events';
import { canonicalJson } from '@custos/ledger/jcs';
import {
  keyDirectoryOrigin,
  openKeyDirectory,
  signKeyDirectoryCheckpoint,
} from '@custos/ledger/key-directory';
import { type KeyRecord, keyRecordLeafInput } from '@custos/ledger/key-record';
import { type NoteSigner, verifierKeyOf } from '@custos/ledger/note';
import { sha256 } from '@custos/ledger/sha256';
import { checkEvent } from './event-check';
import type { StoredEvent } from '@custos/store/event-history.repository';

const origin = keyDirectoryOrigin('custos.test/log');
const sealing: NoteSigner = { name: 'custos.test/log', secretKey: randomSecretKey() };
const maker = '9506000000008';
const secret = randomSecretKey();
const at = new Date(Date.UTC(2026, 11, 2));
const records: KeyRecord[] = [
  {
    type: 'PARTICIPANT_REGISTERED',
    participantId: maker,
    roles: ['MANUFACTURER'],
    companyPrefixes: ['950600'],
    at,
    authorisedBy: { role: 'ADMIN' },
  },
  {
    type: 'KEY_ADDED',
    participantId: maker,
    keyId: 'k1',
    publicKey: publicKeyOf(secret),
    validFrom: null,
    at,
    authorisedBy: { role: 'ADMIN' },
  },
];
const leaves = records.map(keyRecordLeafInput);
const directory = openKeyDirectory({
  leafInputs: leaves,
  checkpoint: signKeyDirectoryCheckpoint(leaves, origin, sealing),
  verifier: verifierKeyOf(sealing),
  origin,
});

const ID = '0b6f7c1e-5d2a-4a8e-9f3b-1c2d3e4f5a6b';
const commission: EventObject = {
  eventId: ID,
  type: 'COMMISSION',
  actor: maker,
  eventTime: '2026-12-02T04:00:00.000Z',
  items: ['(01)09506000134352(21)S-1'],
  lot: 'L1',
  expiry: '2027-12-31',
};

/** What ingest stores for `event`, signed with `key`, and what the history read joins. */
function stored(event: EventObject, key = secret): StoredEvent {
  const signature = signEvent(event, key);
  return {
    seq: 7n,
    eventId: event['eventId'] as string,
    type: event['type'] as string,
    actor: event['actor'] as string,
    keyId: 'k1',
    signature,
    eventJson: canonicalJson(event),
    contentHash: sha256(leafInput({ event, keyId: 'k1', signature })),
    leafIndex: null,
    blockHeight: null,
    items: [],
    key: { publicKey: publicKeyOf(secret), validFrom: null, revokedAt: null },
    block: null,
    nextPrevHash: null,
  };
}

describe('one stored event re-checked', () => {
  it('an honest event: no failure, and what it concerns read from its signed fields', () => {
    const checked = checkEvent(stored(commission), directory);
    expect(checked.failures).toEqual([]);
    expect(checked.view).toMatchObject({
      eventId: ID,
      type: 'COMMISSION',
      actor: maker,
      items: ['https://id.gs1.org/01/09506000134352/21/S-1'],
      lot: 'L1',
      expiry: '2027-12-31',
      sealed: false,
    });
    expect(checked.indexed).toEqual({
      seq: 7n,
      eventId: ID,
      named: {
        type: 'COMMISSION',
        items: checked.view.items,
        lot: 'L1',
      },
    });
  });

  it('edited content, a forged signature, a planted key and unreadable text are each a failure', () => {
    const honest = stored(commission);
    const edited = { ...honest, eventJson: honest.eventJson.replace('L1', 'L2') };
    expect(checkEvent(edited, directory).failures.map((f) => f.message)).toEqual([
      `event ${ID}: its stored content differs from what was accepted`,
      `event ${ID}: its signature does not verify with key k1 of ${maker}`,
    ]);

    const forged = stored(commission, randomSecretKey());
    expect(checkEvent(forged, directory).failures.map((f) => f.publicMessage)).toEqual([
      'an event of its history: its signature does not verify',
    ]);

    const planted = randomSecretKey();
    const signedByPlanted = stored(commission, planted);
    const byPlanted = {
      ...signedByPlanted,
      key: { ...signedByPlanted.key!, publicKey: publicKeyOf(planted) },
    };
    const [notOnRecord] = checkEvent(byPlanted, directory).failures;
    expect(notOnRecord?.message).toMatch(
      /key k1 of 9506000000008 is not on record in the key directory \(.*another public key\)/,
    );
    expect(notOnRecord?.publicMessage).toBe('an event of its history: its key is not on record');

    const keyless = { ...honest, key: null };
    expect(checkEvent(keyless, directory).failures.map((f) => f.eventId)).toEqual([ID]);

    const unreadable = { ...honest, eventJson: '[1]' };
    const checked = checkEvent(unreadable, directory);
    expect(checked.rebuilt).toBeUndefined();
    expect(checked.indexed.named).toBeUndefined();
    expect(checked.failures.map((f) => f.message)).toEqual([
      `event ${ID}: it cannot be read back (eventJson: not a JSON object)`,
    ]);
  });

  it('a column that disagrees with the signed event, and signed fields that do not validate', () => {
    const moved = { ...stored(commission), actor: '9506000000010' };
    expect(
      checkEvent(moved, directory)
        .failures.map((f) => f.message)
        .join('\n'),
    ).toMatch(/its stored columns disagree with the signed event/);
    const noExpiry: EventObject = Object.fromEntries(
      Object.entries(commission).filter(([field]) => field !== 'expiry'),
    );
    const invalid = checkEvent(stored(noExpiry), directory);
    expect(invalid.failures.map((f) => f.message)).toEqual([
      expect.stringMatching(/: its signed fields do not validate \(.*expiry/),
    ]);
    expect(invalid.view.items).toEqual([]);
  });
});
