// Seeds the ledger for the scan page scenario through the public GraphQL API only, as a
// third-party client would: the admin registers a manufacturer and a dispenser with
// Ed25519 keys, each signs in with its private key and submits events signed as SPEC
// section 4 says (libs/ledger signEvent), then we wait until the sealer has sealed them.
import { randomBytes, randomUUID } from 'node:crypto';
import { GraphQLClient, gql } from 'graphql-request';
import { gs1CheckDigit } from '../../libs/gs1/src/check-digit';
import { bytesToBase64Url } from '../../libs/ledger/src/bytes';
import { publicKeyOf, randomSecretKey, sign } from '../../libs/ledger/src/ed25519';
import { signEvent, signInBytes } from '../../libs/ledger/src/events';

const withCheckDigit = (body: string) => body + String(gs1CheckDigit(body));
export const GTIN = withCheckDigit('0950600013435'); // company prefix 9506000
const unitUri = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;

export interface Party {
  readonly id: string;
  readonly keyId: string;
  readonly seed: Uint8Array;
  client?: GraphQLClient;
}

export interface ScanWorld {
  readonly manufacturer: Party;
  readonly dispenser: Party;
  readonly lot: string;
  /** The authentic unit as a wedge scanner types it: `]d2`, no brackets, GS typed `<GS>`. */
  readonly authenticWedge: string;
  readonly dispensedUri: string;
  readonly unknownUri: string;
}

const NEEDED = {
  Query: ['verifyPackage', 'ledgerKey', 'checkpoint'],
  Mutation: ['registerParticipant', 'requestChallenge', 'signIn', 'submitEvents'],
  ProofEntry: ['leafInput'],
};

/** The operations the scenario needs that this service does not offer yet (by introspection). */
export async function missingOperations(url: string): Promise<string[]> {
  const data = await new GraphQLClient(`${url}/graphql`).request<
    Record<string, { fields: { name: string }[] } | null>
  >(gql`
    {
      Query: __type(name: "Query") {
        fields {
          name
        }
      }
      Mutation: __type(name: "Mutation") {
        fields {
          name
        }
      }
      ProofEntry: __type(name: "ProofEntry") {
        fields {
          name
        }
      }
    }
  `);
  return Object.entries(NEEDED).flatMap(([type, fields]) => {
    const have = new Set((data[type]?.fields ?? []).map((f) => f.name));
    return fields.filter((f) => !have.has(f)).map((f) => `${type}.${f}`);
  });
}

export class Seeder {
  private readonly admin: GraphQLClient;

  constructor(
    private readonly url: string,
    adminToken: string,
  ) {
    this.admin = new GraphQLClient(`${url}/graphql`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
  }

  async register(id: string, roles: string[], companyPrefixes: string[] = []): Promise<Party> {
    const party: Party = { id, keyId: 'k1', seed: randomSecretKey() };
    await this.admin.request(
      gql`
        mutation ($input: ParticipantInput!) {
          registerParticipant(input: $input) {
            id
          }
        }
      `,
      {
        input: {
          id,
          name: roles.includes('DISPENSER') ? 'Riverside Pharmacy' : 'Acme Pharma',
          roles,
          companyPrefixes,
          license: {
            number: `LIC-${id}`,
            authority: 'Test Medicines Agency',
            validUntil: '2099-12-31',
          },
          keys: [{ keyId: party.keyId, publicKey: bytesToBase64Url(publicKeyOf(party.seed)) }],
        },
      },
    );
    return party;
  }

  async signIn(party: Party): Promise<GraphQLClient> {
    const anyone = new GraphQLClient(`${this.url}/graphql`);
    const { requestChallenge } = await anyone.request<{ requestChallenge: { nonce: string } }>(
      gql`
        mutation ($id: ID!) {
          requestChallenge(participantId: $id) {
            nonce
          }
        }
      `,
      { id: party.id },
    );
    const signature = bytesToBase64Url(sign(signInBytes(requestChallenge.nonce), party.seed));
    const { signIn } = await anyone.request<{ signIn: { token: string } }>(
      gql`
        mutation ($id: ID!, $keyId: ID!, $nonce: String!, $signature: String!) {
          signIn(participantId: $id, keyId: $keyId, nonce: $nonce, signature: $signature) {
            token
          }
        }
      `,
      { id: party.id, keyId: party.keyId, nonce: requestChallenge.nonce, signature },
    );
    party.client = new GraphQLClient(`${this.url}/graphql`, {
      headers: { authorization: `Bearer ${signIn.token}` },
    });
    return party.client;
  }

  /** Signs and submits one event by `party`; `at` orders the events in time. */
  async act(party: Party, type: string, fields: Record<string, unknown>, at: Date): Promise<void> {
    const event = {
      eventId: randomUUID(),
      type,
      actor: party.id,
      eventTime: at.toISOString(),
      ...fields,
    };
    const client = party.client ?? (await this.signIn(party));
    const { submitEvents } = await client.request<{
      submitEvents: { rejected: { index: number; code: string; message: string }[] };
    }>(
      gql`
        mutation ($events: [SignedEventInput!]!) {
          submitEvents(events: $events) {
            rejected {
              index
              code
              message
            }
          }
        }
      `,
      { events: [{ event, keyId: party.keyId, signature: signEvent(event, party.seed) }] },
    );
    if (submitEvents.rejected.length > 0) {
      throw new Error(`${type} rejected: ${JSON.stringify(submitEvents.rejected)}`);
    }
  }

  /** Waits until the log holds `treeSize` entries (the worker seals on its own). */
  async sealed(treeSize: number, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { checkpoint } = await this.admin.request<{ checkpoint: { treeSize: number } }>(gql`
        {
          checkpoint {
            treeSize
          }
        }
      `);
      if (checkpoint.treeSize >= treeSize) return;
      if (Date.now() > deadline)
        throw new Error(`log still at ${checkpoint.treeSize} < ${treeSize}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * The manufacturer commissions two units and ships them to the dispenser, who receives
   * both and dispenses one: one authentic unit in the dispenser's hands, one dispensed.
   */
  async seed(): Promise<ScanWorld> {
    const manufacturer = await this.register(
      withCheckDigit('950600000001'),
      ['MANUFACTURER'],
      ['9506000'],
    );
    const dispenser = await this.register(withCheckDigit('950600100002'), ['DISPENSER']);
    const tag = randomBytes(3).toString('hex').toUpperCase();
    const [held, dispensed, unknown] = [`H${tag}`, `D${tag}`, `U${tag}`];
    const lot = `LOT${tag}`;
    const items = [unitUri(held), unitUri(dispensed)];
    const start = Date.now() - 10 * 60_000;
    const at = (minute: number) => new Date(start + minute * 60_000);
    await this.act(manufacturer, 'COMMISSION', { items, lot, expiry: '2030-06-30' }, at(0));
    await this.act(manufacturer, 'SHIP', { items, to: dispenser.id }, at(1));
    await this.act(dispenser, 'RECEIVE', { items, from: manufacturer.id }, at(2));
    await this.act(dispenser, 'DISPENSE', { items: [unitUri(dispensed)] }, at(3));
    await this.sealed(4);
    return {
      manufacturer,
      dispenser,
      lot,
      authenticWedge: `]d201${GTIN}21${held}<GS>10${lot}<GS>17300630`,
      dispensedUri: unitUri(dispensed),
      unknownUri: unitUri(unknown),
    };
  }
}
