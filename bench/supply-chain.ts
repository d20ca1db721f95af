// A realistic supply chain for benchmarks (issue 17), parameterised by size and seed:
// manufacturers commission units case by case, pack cases into pallets and ship pallets to
// wholesalers; wholesalers receive, unpack and ship cases to pharmacies; pharmacies
// receive, unpack and dispense part of their stock. A few percent of the traffic is what
// the ledger exists to catch: stolen cases, recalled lots, clones sold by a rogue pharmacy.
//
// Pure and deterministic: the same options give the same events (UUIDs drawn from the
// seeded generator), so runs compare. Events come in phases; within a phase each actor's
// events are in causal order and actors are independent, so a phase's batches may be
// submitted concurrently, and phase n+1 starts when phase n is accepted.
import { gs1CheckDigit } from '../libs/gs1/src/check-digit';

export type Role = 'MANUFACTURER' | 'DISTRIBUTOR' | 'DISPENSER' | 'REGULATOR';

export interface ChainParty {
  readonly id: string;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly companyPrefixes: readonly string[];
}

export type ChainEvent = Record<string, string | string[]> & {
  readonly eventId: string;
  readonly type: string;
  readonly actor: string;
  readonly eventTime: string;
};

/** Units whose verdict the chain fixes, for scans that check what they measure. */
export interface ChainScans {
  /** In a pharmacy's custody, never dispensed: AUTHENTIC for that pharmacy. */
  readonly authentic: { code: string; pharmacy: string }[];
  readonly dispensed: string[];
  readonly stolen: string[];
  readonly recalled: string[];
}

export interface SupplyChain {
  readonly parties: readonly ChainParty[];
  readonly phases: readonly (readonly ChainEvent[])[];
  readonly scans: ChainScans;
  readonly eventCount: number;
}

export interface SupplyChainOptions {
  /** Roughly how many events to generate (the chain stops at the first pallet past it). */
  readonly events: number;
  readonly seed?: number;
  readonly unitsPerCase?: number;
  readonly casesPerPallet?: number;
  /** Event times count up from here, one second per event, and stay in the past. */
  readonly start?: Date;
}

const MANUFACTURERS = 3;
const WHOLESALERS = 4;
const PHARMACIES = 20;
const DISPENSED_SHARE = 0.3;
const STOLEN_CASE_SHARE = 0.01;
const RECALLED_LOT_SHARE = 0.02;
const CLONE_SHARE = 0.005;

/** mulberry32: small, fast, good enough to draw a supply chain. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const withCheckDigit = (body: string) => `${body}${gs1CheckDigit(body)}`;

function party(n: number, name: string, roles: Role[], prefix?: string): ChainParty {
  return {
    id: withCheckDigit(`9521${String(n).padStart(8, '0')}`),
    name,
    roles,
    companyPrefixes: prefix ? [prefix] : [],
  };
}

export function supplyChain(options: SupplyChainOptions): SupplyChain {
  const next = random(options.seed ?? 1);
  const unitsPerCase = options.unitsPerCase ?? 10;
  const casesPerPallet = options.casesPerPallet ?? 20;
  let clock = (options.start ?? new Date(Date.UTC(2026, 0, 1))).getTime();
  const uuid = () => {
    const hex = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[Math.floor(next() * 4)]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;

  const makers = Array.from({ length: MANUFACTURERS }, (_, i) =>
    party(i, `Manufacturer ${i + 1}`, ['MANUFACTURER'], `95210${i}0`),
  );
  const wholesalers = Array.from({ length: WHOLESALERS }, (_, i) =>
    party(100 + i, `Wholesaler ${i + 1}`, ['DISTRIBUTOR']),
  );
  const pharmacies = Array.from({ length: PHARMACIES }, (_, i) =>
    party(200 + i, `Pharmacy ${i + 1}`, ['DISPENSER']),
  );
  const regulator = party(900, 'Medicines Agency', ['REGULATOR']);

  // Phase 0: manufacturers; 1: wholesalers; 2: pharmacies; 3: what comes after (recalls,
  // clones), so that every anomaly lands on a complete trail.
  const phases: ChainEvent[][] = [[], [], [], []];
  const scans: ChainScans = { authentic: [], dispensed: [], stolen: [], recalled: [] };
  let count = 0;
  const emit = (
    phase: number,
    actor: ChainParty,
    type: string,
    fields: Record<string, string | string[]>,
  ) => {
    clock += 1000;
    phases[phase]!.push({
      eventId: uuid(),
      type,
      actor: actor.id,
      eventTime: new Date(clock).toISOString().replace('.000Z', 'Z'),
      ...fields,
    });
    count += 1;
  };

  let pallet = 0;
  while (count < options.events) {
    const maker = makers[pallet % makers.length]!;
    const prefix = maker.companyPrefixes[0]!;
    const gtin = withCheckDigit(`0${prefix}${String(pallet % 7).padStart(5, '0')}`);
    const lot = `L${pallet}`;
    const expired = pallet % 97 === 13; // a few lots past their expiry
    const expiry = expired ? '2026-01-31' : '2029-12-31';
    const palletCode = withCheckDigit(`0${prefix}${String(pallet).padStart(9, '0')}`.slice(0, 17));
    const wholesaler = pick(wholesalers);
    const cases: { code: string; units: string[] }[] = [];
    for (let c = 0; c < casesPerPallet; c++) {
      const n = pallet * casesPerPallet + c + 1;
      const code = withCheckDigit(`1${prefix}${String(n).padStart(9, '0')}`.slice(0, 17));
      const units = Array.from(
        { length: unitsPerCase },
        (_, u) => `https://id.gs1.org/01/${gtin}/21/S${n}-${u}`,
      );
      emit(0, maker, 'COMMISSION', { items: units, lot, expiry });
      emit(0, maker, 'PACK', { items: units, parent: `https://id.gs1.org/00/${code}` });
      cases.push({ code: `https://id.gs1.org/00/${code}`, units });
    }
    const palletUri = `https://id.gs1.org/00/${palletCode}`;
    emit(0, maker, 'PACK', { items: cases.map((c) => c.code), parent: palletUri });
    emit(0, maker, 'SHIP', { items: [palletUri], to: wholesaler.id });
    emit(1, wholesaler, 'RECEIVE', { items: [palletUri], from: maker.id });
    emit(1, wholesaler, 'UNPACK', { items: cases.map((c) => c.code), parent: palletUri });
    for (const box of cases) {
      if (next() < STOLEN_CASE_SHARE) {
        emit(1, wholesaler, 'DECOMMISSION', { items: [box.code], reason: 'STOLEN' });
        scans.stolen.push(...box.units);
        continue;
      }
      const pharmacy = pick(pharmacies);
      emit(1, wholesaler, 'SHIP', { items: [box.code], to: pharmacy.id });
      emit(2, pharmacy, 'RECEIVE', { items: [box.code], from: wholesaler.id });
      emit(2, pharmacy, 'UNPACK', { items: box.units, parent: box.code });
      for (const unit of box.units) {
        if (next() < DISPENSED_SHARE) {
          emit(2, pharmacy, 'DISPENSE', { items: [unit] });
          scans.dispensed.push(unit);
        } else if (next() < CLONE_SHARE) {
          // A rogue pharmacy sells a copy of a serial another pharmacy holds.
          const rogue = pharmacies.find((p) => p.id !== pharmacy.id)!;
          emit(3, rogue, 'DISPENSE', { items: [unit] });
        } else if (!expired) {
          scans.authentic.push({ code: unit, pharmacy: pharmacy.id });
        }
      }
    }
    if (next() < RECALLED_LOT_SHARE) {
      emit(3, maker, 'RECALL', { gtin, lot });
      scans.recalled.push(...cases.flatMap((c) => c.units));
    }
    pallet += 1;
  }
  // A unit of a recalled lot is not AUTHENTIC, whatever else holds.
  const recalled = new Set(scans.recalled);
  return {
    parties: [...makers, ...wholesalers, ...pharmacies, regulator],
    phases,
    scans: { ...scans, authentic: scans.authentic.filter((s) => !recalled.has(s.code)) },
    eventCount: count,
  };
}
