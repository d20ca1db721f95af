// Replays custody events (SPEC section 4) over units and the logistic units they are
// packed in. Custody follows consistent events only: an event that contradicts the
// record is flagged on the item it concerns and changes nothing. A unit packed in an
// SSCC inherits the SSCC's custodian and shipment, recursively, until it is unpacked.
import type { CustodyEvent } from './custody-event';

export type PackageStatus = 'ACTIVE' | 'IN_TRANSIT' | 'DISPENSED' | 'DECOMMISSIONED';
export type CustodyFlag = 'CUSTODY_BREAK' | 'CONFLICTING_CUSTODY' | 'ALREADY_DISPENSED';

export interface ItemFlag {
  readonly eventId: string;
  readonly identifier: string;
  readonly flag: CustodyFlag;
  readonly message: string;
}

interface Shipment {
  readonly from: string;
  readonly to: string;
  readonly eventId: string;
}

interface Node {
  /** A unit's COMMISSION, or the PACK that first used an SSCC. */
  readonly createdBy: CustodyEvent;
  custodian: string;
  parent: string | undefined;
  shipment: Shipment | undefined;
  final: { status: 'DISPENSED' | 'DECOMMISSIONED'; event: CustodyEvent } | undefined;
}

export interface Effective {
  readonly custodian: string;
  readonly status: PackageStatus;
  readonly shipment: Shipment | undefined;
  /** The SSCCs the identifier is packed in, innermost first. */
  readonly containers: readonly string[];
}

/** Bound on nesting (unit in case in pallet …): deeper packing is refused as a break. */
export const MAX_NESTING = 16;

export class CustodyReplay {
  private readonly nodes = new Map<string, Node>();
  private readonly recalls = new Map<string, CustodyEvent>();

  /** Applies one event; returns the items it flagged (empty when it was consistent). */
  apply(event: CustodyEvent): ItemFlag[] {
    const flags: ItemFlag[] = [];
    const flag = (identifier: string, kind: CustodyFlag, message: string) =>
      flags.push({ eventId: event.eventId, identifier, flag: kind, message });
    switch (event.type) {
      case 'COMMISSION':
        for (const id of event.items) this.commission(event, id, flag);
        break;
      case 'PACK':
        this.pack(event, flag);
        break;
      case 'UNPACK':
        for (const id of event.items) this.unpack(event, id, flag);
        break;
      case 'SHIP':
        for (const id of event.items) this.ship(event, id, flag);
        break;
      case 'RECEIVE':
        for (const id of event.items) this.receive(event, id, flag);
        break;
      case 'DISPENSE':
        for (const id of event.items) this.dispense(event, id, flag);
        break;
      case 'DECOMMISSION':
        for (const id of event.items) this.decommission(event, id, flag);
        break;
      case 'RECALL':
        if (
          event.gtin !== undefined &&
          event.lot !== undefined &&
          !this.recalls.has(lotKey(event.gtin, event.lot))
        ) {
          this.recalls.set(lotKey(event.gtin, event.lot), event);
        }
        break;
    }
    return flags;
  }

  has(identifier: string): boolean {
    return this.nodes.has(identifier);
  }

  /** The COMMISSION of a unit, or the PACK that first used an SSCC. */
  origin(identifier: string): CustodyEvent | undefined {
    return this.nodes.get(identifier)?.createdBy;
  }

  /** DISPENSE or DECOMMISSION that ended the unit's life, if any. */
  ending(identifier: string): CustodyEvent | undefined {
    return this.nodes.get(identifier)?.final?.event;
  }

  recall(gtin: string, lot: string): CustodyEvent | undefined {
    return this.recalls.get(lotKey(gtin, lot));
  }

  /** Custodian, status and open shipment, inherited through the containers. */
  effective(identifier: string): Effective | undefined {
    const node = this.nodes.get(identifier);
    if (!node) return undefined;
    const containers: string[] = [];
    let holder = node;
    let shipment = node.shipment;
    while (holder.parent !== undefined && containers.length < MAX_NESTING) {
      const parent = this.nodes.get(holder.parent);
      if (!parent) break;
      containers.push(holder.parent);
      holder = parent;
      shipment ??= parent.shipment;
    }
    const status: PackageStatus = node.final?.status ?? (shipment ? 'IN_TRANSIT' : 'ACTIVE');
    return {
      custodian: node.final ? node.custodian : holder.custodian,
      status,
      shipment,
      containers,
    };
  }

  /** Whether `actor` holds `identifier` now: its custodian, not shipped, not ended. */
  private holds(actor: string, identifier: string): string | undefined {
    const state = this.effective(identifier);
    if (!state) return `${identifier} was never commissioned or packed`;
    if (state.status === 'DISPENSED' || state.status === 'DECOMMISSIONED') {
      return `${identifier} is ${state.status.toLowerCase()}`;
    }
    if (state.custodian !== actor)
      return `${identifier} is held by ${state.custodian}, not ${actor}`;
    if (state.shipment) return `${identifier} is in transit to ${state.shipment.to}`;
    return undefined;
  }

  private commission(event: CustodyEvent, id: string, flag: FlagFn): void {
    const existing = this.nodes.get(id);
    if (existing) {
      flag(
        id,
        'CONFLICTING_CUSTODY',
        `${id} was already commissioned by ${existing.createdBy.actor} (event ${existing.createdBy.eventId})`,
      );
      return;
    }
    this.nodes.set(id, {
      createdBy: event,
      custodian: event.actor,
      parent: undefined,
      shipment: undefined,
      final: undefined,
    });
  }

  private pack(event: CustodyEvent, flag: FlagFn): void {
    const parent = event.parent;
    if (parent === undefined) return;
    const container = this.nodes.get(parent);
    if (!container) {
      this.nodes.set(parent, {
        createdBy: event,
        custodian: event.actor,
        parent: undefined,
        shipment: undefined,
        final: undefined,
      });
    } else {
      const problem = this.holds(event.actor, parent);
      if (problem) {
        flag(parent, 'CUSTODY_BREAK', `packing into ${parent}: ${problem}`);
        for (const id of event.items)
          flag(id, 'CUSTODY_BREAK', `packing into ${parent}: ${problem}`);
        return;
      }
    }
    for (const id of event.items) {
      const problem = this.holds(event.actor, id);
      if (problem) {
        flag(id, 'CUSTODY_BREAK', `packing ${id}: ${problem}`);
        continue;
      }
      const chain = [parent, ...(this.effective(parent)?.containers ?? [])];
      if (chain.includes(id) || chain.length >= MAX_NESTING) {
        flag(
          id,
          'CUSTODY_BREAK',
          `packing ${id} into ${parent} would put it inside itself or nest too deep`,
        );
        continue;
      }
      const node = this.nodes.get(id)!;
      node.custodian = event.actor;
      node.parent = parent;
    }
  }

  private unpack(event: CustodyEvent, id: string, flag: FlagFn): void {
    const node = this.nodes.get(id);
    if (!node || node.parent !== event.parent || event.parent === undefined) {
      flag(
        id,
        'CUSTODY_BREAK',
        `unpacking ${id}: it is not packed in ${event.parent ?? 'that container'}`,
      );
      return;
    }
    const problem = this.holds(event.actor, event.parent);
    if (problem) {
      flag(id, 'CUSTODY_BREAK', `unpacking ${id}: ${problem}`);
      return;
    }
    node.custodian = event.actor;
    node.parent = undefined;
  }

  private ship(event: CustodyEvent, id: string, flag: FlagFn): void {
    const problem = this.holds(event.actor, id);
    if (problem || event.to === undefined) {
      flag(id, 'CUSTODY_BREAK', `shipping ${id}: ${problem ?? 'no recipient'}`);
      return;
    }
    const node = this.nodes.get(id)!;
    // Shipping a packed item on its own takes it out of its container.
    node.parent = undefined;
    node.custodian = event.actor;
    node.shipment = { from: event.actor, to: event.to, eventId: event.eventId };
  }

  private receive(event: CustodyEvent, id: string, flag: FlagFn): void {
    const state = this.effective(id);
    const node = this.nodes.get(id);
    if (!state || !node) {
      flag(id, 'CUSTODY_BREAK', `receiving ${id}: it was never commissioned or packed`);
      return;
    }
    const shipment = state.shipment;
    if (!shipment) {
      flag(
        id,
        'CUSTODY_BREAK',
        `receiving ${id}: there is no open shipment of it to ${event.actor}`,
      );
      return;
    }
    if (shipment.to !== event.actor) {
      flag(
        id,
        'CONFLICTING_CUSTODY',
        `receiving ${id}: it was shipped to ${shipment.to}, not ${event.actor}`,
      );
      return;
    }
    if (event.from !== undefined && shipment.from !== event.from) {
      flag(
        id,
        'CUSTODY_BREAK',
        `receiving ${id}: it was shipped by ${shipment.from}, not ${event.from}`,
      );
      return;
    }
    if (node.shipment) {
      node.shipment = undefined;
    } else {
      // Received on its own out of a shipped container: it leaves the container.
      node.parent = undefined;
    }
    node.custodian = event.actor;
  }

  private dispense(event: CustodyEvent, id: string, flag: FlagFn): void {
    const node = this.nodes.get(id);
    if (node?.final?.status === 'DISPENSED') {
      flag(
        id,
        'ALREADY_DISPENSED',
        `${id} was already dispensed by ${node.final.event.actor} (event ${node.final.event.eventId})`,
      );
      return;
    }
    const problem = this.holds(event.actor, id);
    if (problem || !node) {
      flag(id, 'CUSTODY_BREAK', `dispensing ${id}: ${problem ?? 'unknown'}`);
      return;
    }
    node.custodian = event.actor;
    node.parent = undefined;
    node.final = { status: 'DISPENSED', event };
  }

  private decommission(event: CustodyEvent, id: string, flag: FlagFn): void {
    const state = this.effective(id);
    const node = this.nodes.get(id);
    // While in transit the custodian is still the sender, who may report it stolen.
    if (!state || !node || node.final || state.custodian !== event.actor) {
      const why = !state
        ? 'it was never commissioned or packed'
        : node?.final
          ? `it is ${state.status.toLowerCase()}`
          : `it is held by ${state.custodian}, not ${event.actor}`;
      flag(id, 'CUSTODY_BREAK', `decommissioning ${id}: ${why}`);
      return;
    }
    node.custodian = state.custodian;
    node.parent = undefined;
    node.shipment = undefined;
    node.final = { status: 'DECOMMISSIONED', event };
  }
}

type FlagFn = (identifier: string, flag: CustodyFlag, message: string) => void;

function lotKey(gtin: string, lot: string): string {
  return `${gtin}\u0000${lot}`;
}
