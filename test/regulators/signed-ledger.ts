// A sealed ledger of really signed SHIP events for the audit's tests and benchmark: one
// manufacturer (registered straight in SQL), events signed through node:crypto (the same
// RFC 8032 bytes as libs/ledger, faster), inserted as ingest stores them, sealed block by
// block by the real sealer.
import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import type { Client } from 'pg';
import { publicKeyOf, randomSecretKey } from '../../libs/ledger/src/ed25519';
import { leafInput } from '../../libs/ledger/src/events';
import { canonicalJson } from '../../libs/ledger/src/jcs';
import { sha256 } from '../../libs/ledger/src/sha256';
import type { SealingService } from '../../libs/sealing/src/sealing.service';
import { gln, gtin, unit } from '../events/fixture';
import { indexAsIngest, registerKeys } from '../sealing/fixture';

const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
const CHUNK = 5000;

export interface SignedLedger {
  readonly maker: string;
  readonly publicKey: Uint8Array;
}

export async function seedSignedLedger(
  sql: Client,
  sealing: SealingService,
  options: { readonly events: number; readonly serialPrefix: string; readonly gtin?: string },
): Promise<SignedLedger> {
  const seed = randomSecretKey();
  const key = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const maker = gln(1);
  await sql.query(
    `INSERT INTO participant (id, name, roles, company_prefixes, license_number, license_authority, license_valid_until)
     VALUES ($1, 'Maker', '{MANUFACTURER}', '{9506000}', 'L1', 'EMA', '2099-01-01')`,
    [maker],
  );
  await registerKeys(sql, [
    { gln: maker, keyId: 'k1', publicKey: Buffer.from(publicKeyOf(seed)).toString('base64url') },
  ]);
  for (let done = 0; done < options.events; done += CHUNK) {
    const rows = Array.from({ length: Math.min(CHUNK, options.events - done) }, (_, i) => {
      const event = {
        eventId: randomUUID(),
        type: 'SHIP',
        actor: maker,
        eventTime: '2026-01-05T10:00:00Z',
        items: [unit(`${options.serialPrefix}${done + i}`, options.gtin ?? gtin())],
        to: gln(2),
      };
      const json = canonicalJson(event);
      const signature = sign(null, Buffer.from(`custos-event:v1:${json}`), key).toString(
        'base64url',
      );
      const hash = Buffer.from(sha256(leafInput({ event, keyId: 'k1', signature })));
      return [event.eventId, json, signature, hash.toString('hex')];
    });
    await sql.query(
      `INSERT INTO ledger_event (event_id, type, actor, key_id, signature, event_json, content_hash, event_time)
       SELECT e, 'SHIP', $5, 'k1', s, j, decode(h, 'hex'), '2026-01-05T10:00:00Z'
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS r(e, j, s, h, ord)
       ORDER BY ord`,
      [
        rows.map((r) => r[0]),
        rows.map((r) => r[1]),
        rows.map((r) => r[2]),
        rows.map((r) => r[3]),
        maker,
      ],
    );
    await indexAsIngest(sql);
    while ((await sealing.sealBlock()).block);
  }
  return { maker, publicKey: publicKeyOf(seed) };
}
