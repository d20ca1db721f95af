// The plain words a pharmacist reads: one sentence per finding code of SPEC section 6,
// what each verdict asks of them, and the event types as nouns. The server's own
// message is shown beside the sentence; an unknown code shows that message alone.

export type Verdict = 'AUTHENTIC' | 'SUSPECT' | 'COUNTERFEIT';

export const VERDICT_WORDS: Record<Verdict, { title: string; advice: string }> = {
  AUTHENTIC: { title: 'Authentic', advice: 'Genuine and in order: you may dispense it.' },
  SUSPECT: {
    title: 'Suspect',
    advice: 'Something is not right: set the pack aside and check before dispensing.',
  },
  COUNTERFEIT: {
    title: 'Counterfeit',
    advice: 'Do not dispense: quarantine the pack and report it.',
  },
};

const FINDING_SENTENCES: Record<string, string> = {
  UNKNOWN_IDENTIFIER:
    'Unknown code: no manufacturer ever commissioned this package, so the ledger does not know it.',
  PRODUCT_MISMATCH:
    'The lot or expiry on the pack differs from what the manufacturer recorded for this serial.',
  ALREADY_DISPENSED:
    'Already dispensed: this package was handed to a patient before and must not be dispensed again.',
  DECOMMISSIONED:
    'Taken out of circulation: the package was recorded as destroyed, stolen, a sample, exported or locked.',
  INTEGRITY_FAILURE:
    'A signature or proof in the ledger does not check: this record cannot be trusted.',
  CUSTODY_BREAK:
    'Break in custody: a party that did not hold the package recorded a step, or it was received without a matching shipment.',
  CONFLICTING_CUSTODY: 'Conflicting custody: two parties hold or received the same package.',
  NOT_IN_YOUR_CUSTODY:
    'Not in your custody: the ledger shows neither that you hold this package nor that it was shipped to you.',
  RECALLED: 'Recalled: the lot of this package has been recalled.',
  EXPIRED: 'Expired: the package is past its expiry date.',
  IN_TRANSIT: 'In transit: it was shipped and its receipt has not been recorded yet.',
  UNSEALED_EVENTS:
    'Recent steps are recorded but not sealed into the ledger yet; their proofs follow within seconds.',
  LEDGER_UNWITNESSED:
    'The independent witnesses have not vouched for the ledger as it stands (or saw it longer before): its record may be incomplete.',
};

export function findingSentence(code: string): string | undefined {
  return FINDING_SENTENCES[code];
}

const EVENT_NOUNS: Record<string, string> = {
  COMMISSION: 'Commissioned',
  PACK: 'Packed',
  UNPACK: 'Unpacked',
  SHIP: 'Shipped',
  RECEIVE: 'Received',
  DISPENSE: 'Dispensed',
  DECOMMISSION: 'Decommissioned',
  RECALL: 'Recalled',
};

export function eventWord(type: string): string {
  return EVENT_NOUNS[type] ?? type;
}

const STATUS_WORDS: Record<string, string> = {
  ACTIVE: 'Active (in the supply chain)',
  IN_TRANSIT: 'In transit',
  DISPENSED: 'Dispensed',
  DECOMMISSIONED: 'Decommissioned',
};

export function statusWord(status: string): string {
  return STATUS_WORDS[status] ?? status;
}
