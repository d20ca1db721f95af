// The custody rules of SPEC section 4 applied to the current state of the units an event
// names: who holds each unit and logistic unit, its status, the SSCC it is packed in and
// its open shipment. Consistent events move custody; an event that contradicts the record
// is kept as evidence, each contradicting item gets a flag (the finding codes of SPEC
// section 6), and custody stays where it was. Packing inherits: what moves an SSCC moves
// everything packed in it, recursively. Pure and in memory: the caller loads (and locks)
// every state the events can touch, including what is packed in the SSCCs they name.
import type { CustodyInput, EventItemRef, ItemKind } from './custody-event';
import type { CustodyFlag } from './custody-flags';

export type PackageStatus = 'ACTIVE' | 'IN_TRANSIT' | 'DISPENSED' | 'DECOMMISSIONED';

export interface UnitStateRecord {
  readonly identifier: string;
  readonly kind: ItemKind;
  readonly gtin: string | null;
  readonly lot: string | null;
  readonly expiry: string | null;
  readonly status: PackageStatus;
  readonly custodian: string | null;
  readonly parent: string | null;
  readonly shipmentTo: string | null;
  readonly shipmentFrom: string | null;
  readonly commissionSeq: bigint;
  readonly updatedSeq: bigint;
}

export interface ItemOutcome {
  readonly identifier: string;
  readonly role: 'ITEM' | 'PARENT';
  readonly flag?: CustodyFlag;
  /** Why the item was flagged, for the alert. */
  readonly reason?: string;
}

interface Issue {
  readonly flag: CustodyFlag;
  readonly reason: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class CustodyProjection {
  private readonly states = new Map<string, UnitStateRecord>();
  private readonly children = new Map<string, Set<string>>();
  private readonly dirty = new Set<string>();
  private readonly loaded = new Set<string>();

  constructor(states: Iterable<UnitStateRecord>) {
    for (const state of states) {
      this.states.set(state.identifier, state);
      this.loaded.add(state.identifier);
      if (state.parent !== null) this.childrenOf(state.parent).add(state.identifier);
    }
  }

  get(identifier: string): UnitStateRecord | undefined {
    return this.states.get(identifier);
  }

  /** Every state changed so far, to be written back: new ones, and loaded ones changed. */
  changed(): { created: UnitStateRecord[]; updated: UnitStateRecord[] } {
    const created: UnitStateRecord[] = [];
    const updated: UnitStateRecord[] = [];
    for (const id of this.dirty) {
      (this.loaded.has(id) ? updated : created).push(this.states.get(id)!);
    }
    return { created, updated };
  }

  /** Applies one event (stored as `seq`); returns the outcome of every identifier it names. */
  apply(event: CustodyInput, seq: bigint): ItemOutcome[] {
    switch (event.type) {
      case 'COMMISSION':
        return event.items.map((item) => this.commission(event, item, seq));
      case 'PACK':
        return this.pack(event, seq);
      case 'UNPACK':
        return this.unpack(event, seq);
      case 'SHIP':
        return this.each(
          event,
          (s) => this.holdIssue(s, event.actor),
          (s) => {
            this.detach(s, seq);
            this.moveTree(s.identifier, seq, {
              status: 'IN_TRANSIT',
              shipmentTo: event.to!,
              shipmentFrom: event.actor,
            });
          },
        );
      case 'RECEIVE':
        return this.each(
          event,
          (s) => this.receiveIssue(s, event),
          (s) => {
            const parent = s.parent !== null ? this.states.get(s.parent) : undefined;
            // Received on its own while its case is still on the way: it left the case.
            if (parent && parent.status === 'IN_TRANSIT') this.detach(s, seq);
            this.moveTree(s.identifier, seq, {
              status: 'ACTIVE',
              custodian: event.actor,
              shipmentTo: null,
              shipmentFrom: null,
            });
          },
        );
      case 'DISPENSE':
        return this.each(
          event,
          (s) => this.holdIssue(s, event.actor),
          (s) => {
            this.detach(s, seq);
            this.update(s.identifier, seq, { status: 'DISPENSED' });
          },
        );
      case 'DECOMMISSION':
        return this.each(
          event,
          (s) => this.holdIssue(s, event.actor),
          (s) => {
            this.moveTree(s.identifier, seq, { status: 'DECOMMISSIONED' });
          },
        );
      case 'RECALL':
        return [];
    }
  }

  private commission(event: CustodyInput, item: EventItemRef, seq: bigint): ItemOutcome {
    const existing = this.states.get(item.identifier);
    if (existing) {
      return flagged(item.identifier, 'ITEM', {
        flag: 'CONFLICTING_CUSTODY',
        reason: `was already commissioned${existing.custodian ? ` (held by ${existing.custodian})` : ''}`,
      });
    }
    this.put({
      identifier: item.identifier,
      kind: 'UNIT',
      gtin: item.gtin ?? null,
      lot: event.lot ?? null,
      expiry: event.expiry ?? null,
      status: 'ACTIVE',
      custodian: event.actor,
      parent: null,
      shipmentTo: null,
      shipmentFrom: null,
      commissionSeq: seq,
      updatedSeq: seq,
    });
    return { identifier: item.identifier, role: 'ITEM' };
  }

  private pack(event: CustodyInput, seq: bigint): ItemOutcome[] {
    const parentRef = event.parent!;
    let parent = this.states.get(parentRef.identifier);
    const parentIssue = parent ? this.holdIssue(parent, event.actor) : undefined;
    const outcomes = event.items.map((item): ItemOutcome => {
      const state = this.states.get(item.identifier);
      const issue =
        this.holdIssue(state, event.actor) ??
        (this.isAncestorOrSelf(item.identifier, parentRef.identifier)
          ? { flag: 'CUSTODY_BREAK' as const, reason: `contains ${parentRef.identifier}` }
          : undefined);
      if (issue) return flagged(item.identifier, 'ITEM', issue);
      if (!parentIssue) {
        if (!parent) {
          // A logistic unit comes into being when something is first packed in it.
          parent = this.put({
            identifier: parentRef.identifier,
            kind: 'LOGISTIC_UNIT',
            gtin: null,
            lot: null,
            expiry: null,
            status: 'ACTIVE',
            custodian: event.actor,
            parent: null,
            shipmentTo: null,
            shipmentFrom: null,
            commissionSeq: seq,
            updatedSeq: seq,
          });
        }
        this.detach(state!, seq);
        this.update(item.identifier, seq, { parent: parentRef.identifier });
        this.childrenOf(parentRef.identifier).add(item.identifier);
      }
      return { identifier: item.identifier, role: 'ITEM' };
    });
    return [parentOutcome(parentRef, parentIssue), ...outcomes];
  }

  private unpack(event: CustodyInput, seq: bigint): ItemOutcome[] {
    const parentRef = event.parent!;
    const parent = this.states.get(parentRef.identifier);
    const parentIssue = this.holdIssue(parent, event.actor);
    const outcomes = event.items.map((item): ItemOutcome => {
      const state = this.states.get(item.identifier);
      const issue =
        this.holdIssue(state, event.actor) ??
        (state!.parent !== parentRef.identifier
          ? { flag: 'CUSTODY_BREAK' as const, reason: `is not packed in ${parentRef.identifier}` }
          : undefined);
      if (issue) return flagged(item.identifier, 'ITEM', issue);
      if (!parentIssue) this.detach(state!, seq);
      return { identifier: item.identifier, role: 'ITEM' };
    });
    return [parentOutcome(parentRef, parentIssue), ...outcomes];
  }

  /** Judges each item on its own; applies `move` to the consistent ones. */
  private each(
    event: CustodyInput,
    issueOf: (state: UnitStateRecord | undefined) => Issue | undefined,
    move: (state: UnitStateRecord) => void,
  ): ItemOutcome[] {
    return event.items.map((item) => {
      const state = this.states.get(item.identifier);
      const issue = issueOf(state);
      if (issue) return flagged(item.identifier, 'ITEM', issue);
      move(state!);
      return { identifier: item.identifier, role: 'ITEM' };
    });
  }

  /** Why `actor` may not act on the unit as its holder, if it may not. */
  private holdIssue(state: UnitStateRecord | undefined, actor: string): Issue | undefined {
    if (!state) return { flag: 'UNKNOWN_IDENTIFIER', reason: 'was never commissioned or packed' };
    switch (state.status) {
      case 'DECOMMISSIONED':
        return { flag: 'DECOMMISSIONED', reason: 'was decommissioned' };
      case 'DISPENSED':
        return { flag: 'ALREADY_DISPENSED', reason: 'was dispensed' };
      case 'IN_TRANSIT':
        return {
          flag: 'CUSTODY_BREAK',
          reason: `is in transit from ${state.shipmentFrom ?? '?'} to ${state.shipmentTo ?? '?'}`,
        };
      case 'ACTIVE':
        return state.custodian === actor
          ? undefined
          : {
              flag: 'CUSTODY_BREAK',
              reason: `is held by ${state.custodian ?? 'nobody'}, not ${actor}`,
            };
    }
  }

  private receiveIssue(state: UnitStateRecord | undefined, event: CustodyInput): Issue | undefined {
    const actor = event.actor;
    const from = event.from!;
    if (!state) return { flag: 'UNKNOWN_IDENTIFIER', reason: 'was never commissioned or packed' };
    switch (state.status) {
      case 'DECOMMISSIONED':
        return { flag: 'DECOMMISSIONED', reason: 'was decommissioned' };
      case 'DISPENSED':
        return { flag: 'ALREADY_DISPENSED', reason: 'was dispensed' };
      case 'IN_TRANSIT':
        if (state.shipmentTo !== actor) {
          return {
            flag: 'CUSTODY_BREAK',
            reason: `was shipped to ${state.shipmentTo ?? '?'}, not ${actor}`,
          };
        }
        if (state.shipmentFrom !== from) {
          return {
            flag: 'CUSTODY_BREAK',
            reason: `was shipped by ${state.shipmentFrom ?? '?'}, not ${from}`,
          };
        }
        return undefined;
      case 'ACTIVE':
        if (state.custodian === actor) {
          return { flag: 'CUSTODY_BREAK', reason: `was not shipped: ${actor} already holds it` };
        }
        if (state.custodian === from) {
          return { flag: 'CUSTODY_BREAK', reason: `was never shipped by ${from} to ${actor}` };
        }
        return {
          flag: 'CONFLICTING_CUSTODY',
          reason: `is held by ${state.custodian ?? 'nobody'}, who received or holds it`,
        };
    }
  }

  /** True when `ancestor` is `identifier` itself or an SSCC that `identifier` is packed in. */
  private isAncestorOrSelf(ancestor: string, identifier: string): boolean {
    let at: string | null = identifier;
    for (let depth = 0; at !== null && depth < 64; depth++) {
      if (at === ancestor) return true;
      at = this.states.get(at)?.parent ?? null;
    }
    return false;
  }

  private childrenOf(parent: string): Set<string> {
    let set = this.children.get(parent);
    if (!set) {
      set = new Set();
      this.children.set(parent, set);
    }
    return set;
  }

  /** Takes the unit out of the SSCC it is packed in, if any. */
  private detach(state: UnitStateRecord, seq: bigint): void {
    const current = this.states.get(state.identifier)!;
    if (current.parent === null) return;
    this.children.get(current.parent)?.delete(state.identifier);
    this.update(state.identifier, seq, { parent: null });
  }

  /** Applies `change` to the unit and, recursively, to everything packed in it. */
  private moveTree(root: string, seq: bigint, change: Partial<Mutable<UnitStateRecord>>): void {
    const stack = [root];
    const seen = new Set<string>();
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      this.update(id, seq, change);
      for (const child of this.children.get(id) ?? []) stack.push(child);
    }
  }

  private update(identifier: string, seq: bigint, change: Partial<Mutable<UnitStateRecord>>): void {
    const state = this.states.get(identifier)!;
    this.put({ ...state, ...change, updatedSeq: seq });
  }

  private put(state: UnitStateRecord): UnitStateRecord {
    this.states.set(state.identifier, state);
    this.dirty.add(state.identifier);
    return state;
  }
}

function flagged(identifier: string, role: ItemOutcome['role'], issue: Issue): ItemOutcome {
  return { identifier, role, flag: issue.flag, reason: issue.reason };
}

function parentOutcome(parent: EventItemRef, issue: Issue | undefined): ItemOutcome {
  return issue
    ? flagged(parent.identifier, 'PARENT', issue)
    : { identifier: parent.identifier, role: 'PARENT' };
}
