// The parties of the `custos demo` supply chain (issue 15): who they are, by name and
// GLN, and which of them a pharmacist signs in as. Data only, shared by the CLI (which
// registers them and writes each one's key file, `<party>.json`), the scan page (which
// offers the demo pharmacies) and the service (which says whether they are registered).
import { gs1CheckDigit } from '@custos/gs1/check-digit';
import type { Role } from './types';

export type PartyName =
  'aurora' | 'borealis' | 'northwind' | 'southgate' | 'harbour' | 'market' | 'nightowl' | 'agency';

export interface DemoParty {
  readonly name: string;
  readonly id: string;
  readonly roles: readonly Role[];
  readonly companyPrefixes: readonly string[];
  readonly note: string;
}

const gln = (body: string) => `${body}${gs1CheckDigit(body)}`;

export const PARTIES: Readonly<Record<PartyName, DemoParty>> = {
  aurora: {
    name: 'Aurora Pharma',
    id: gln('950600100000'),
    roles: ['MANUFACTURER'],
    companyPrefixes: ['9506001'],
    note: 'manufacturer of Amoxicillin',
  },
  borealis: {
    name: 'Borealis Labs',
    id: gln('950600200000'),
    roles: ['MANUFACTURER'],
    companyPrefixes: ['9506002'],
    note: 'manufacturer of Atorvastatin',
  },
  northwind: {
    name: 'Northwind Wholesale',
    id: gln('950600300001'),
    roles: ['DISTRIBUTOR'],
    companyPrefixes: [],
    note: 'wholesaler',
  },
  southgate: {
    name: 'Southgate Distribution',
    id: gln('950600300002'),
    roles: ['DISTRIBUTOR'],
    companyPrefixes: [],
    note: 'wholesaler (a case was stolen from it)',
  },
  harbour: {
    name: 'Harbour Pharmacy',
    id: gln('950600400001'),
    roles: ['DISPENSER'],
    companyPrefixes: [],
    note: 'pharmacy',
  },
  market: {
    name: 'Market Street Pharmacy',
    id: gln('950600400002'),
    roles: ['DISPENSER'],
    companyPrefixes: [],
    note: 'pharmacy',
  },
  nightowl: {
    name: 'Nightowl Pharmacy',
    id: gln('950600400003'),
    roles: ['DISPENSER'],
    companyPrefixes: [],
    note: 'the rogue pharmacy: sells a cloned serial',
  },
  agency: {
    name: 'Medicines Agency',
    id: gln('950600500001'),
    roles: ['REGULATOR'],
    companyPrefixes: [],
    note: 'regulator',
  },
};

/** The pharmacies the demo's table signs in as (the rogue one is not offered). */
export const DEMO_PHARMACIES: readonly PartyName[] = ['harbour', 'market'];

/** The key file `custos demo` writes for a party, in its folder (`.custos/demo` by default). */
export const demoKeyFile = (party: PartyName) => `${party}.json`;
