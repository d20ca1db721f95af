// Seeds the ledger for the scan page scenario through the public GraphQL API only, as a
// third-party client would (test/fixtures/ledger-world.ts): the admin registers a
// manufacturer and a dispenser, each signs in with its private key and submits signed
// events; then we wait until the sealer has sealed them.
import { randomBytes } from 'node:crypto';
import {
  COMPANY_PREFIX,
  GTIN,
  gln,
  LedgerWorld,
  type Party,
  unitUri,
} from '../fixtures/ledger-world';

export interface ScanWorld {
  readonly manufacturer: Party;
  readonly dispenser: Party;
  readonly lot: string;
  /** The authentic unit as a wedge scanner types it: `]d2`, no brackets, GS typed `<GS>`. */
  readonly authenticWedge: string;
  /** The same scan with the GTIN's check digit wrong, as a misread gives it. */
  readonly wrongCheckDigitWedge: string;
  readonly dispensedUri: string;
  readonly unknownUri: string;
}

/**
 * The manufacturer commissions two units and ships them to the dispenser, who receives
 * both and dispenses one: one authentic unit in the dispenser's hands, one dispensed.
 */
export async function seedScanWorld(url: string, adminToken: string): Promise<ScanWorld> {
  const world = new LedgerWorld(url, adminToken);
  const manufacturer = await world.register(
    gln('950600000001'),
    'Acme Pharma',
    ['MANUFACTURER'],
    [COMPANY_PREFIX],
  );
  const dispenser = await world.register(gln('950600100002'), 'Riverside Pharmacy', ['DISPENSER']);
  const tag = randomBytes(3).toString('hex').toUpperCase();
  const [held, dispensed, unknown] = [`H${tag}`, `D${tag}`, `U${tag}`];
  const lot = `LOT${tag}`;
  const wrongCheckDigit = GTIN.slice(0, -1) + String((Number(GTIN.at(-1)) + 1) % 10);
  const items = [unitUri(held), unitUri(dispensed)];
  await world.act(manufacturer, 'COMMISSION', { items, lot, expiry: '2030-06-30' });
  await world.act(manufacturer, 'SHIP', { items, to: dispenser.id });
  await world.act(dispenser, 'RECEIVE', { items, from: manufacturer.id });
  await world.act(dispenser, 'DISPENSE', { items: [unitUri(dispensed)] });
  await world.sealedUpTo(world.admin, 4);
  return {
    manufacturer,
    dispenser,
    lot,
    authenticWedge: `]d201${GTIN}21${held}<GS>10${lot}<GS>17300630`,
    wrongCheckDigitWedge: `]d201${wrongCheckDigit}21${held}<GS>10${lot}<GS>17300630`,
    dispensedUri: unitUri(dispensed),
    unknownUri: unitUri(unknown),
  };
}
