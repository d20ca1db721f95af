// The custody projection kept by ingest (SPEC section 4), on the real PostgreSQL: clean
// handoffs move custody, packing inherits, contradicting events are stored, flagged item
// by item, alerted (and announced with pg_notify) and do not move custody; two concurrent
// submissions shipping the same unit cannot both be clean.
import { Client, type Notification } from 'pg';
import { ALERT_CHANNEL } from '../../libs/store/src/alert.repository';
import { gln, IngestFixture, signed, ssccUri, unit, type Party } from './fixture';

interface State {
  identifier: string;
  status: string;
  custodian: string | null;
  parent: string | null;
  shipment_to: string | null;
}

describe('custody projection, flags, alerts and the race', () => {
  let f: IngestFixture;
  let maker: Party;
  let dist: Party;
  let dist2: Party;
  let pharmacy: Party;
  let serial = 0;

  beforeAll(async () => {
    f = await IngestFixture.start('custody');
    maker = await f.participant(gln(1), ['MANUFACTURER'], { companyPrefixes: ['9506000'] });
    dist = await f.participant(gln(2), ['DISTRIBUTOR']);
    dist2 = await f.participant(gln(3), ['DISTRIBUTOR']);
    pharmacy = await f.participant(gln(4), ['DISPENSER']);
  });
  afterAll(async () => {
    await f?.stop();
  });

  const fresh = () => unit(`U${++serial}`);
  const commission = (...items: string[]) =>
    signed(maker, { type: 'COMMISSION', items, lot: 'L1', expiry: '2027-12-31' });
  const ship = (from: Party, to: Party, ...items: string[]) =>
    signed(from, { type: 'SHIP', items, to: to.id });
  const receive = (by: Party, from: Party, ...items: string[]) =>
    signed(by, { type: 'RECEIVE', items, from: from.id });

  async function accept(...events: ReturnType<typeof signed>[]) {
    const result = await f.ingest.submit(events);
    expect(result.rejected).toEqual([]);
    return result;
  }
  async function state(identifier: string): Promise<State | undefined> {
    const rows = await f.query<State>(
      `SELECT identifier, status::text, custodian, parent, shipment_to FROM unit_state WHERE identifier = $1`,
      identifier,
    );
    return rows[0];
  }
  async function flags(event: ReturnType<typeof signed>) {
    return f.query<{ identifier: string; role: string; flag: string | null }>(
      `SELECT identifier, role::text, flag FROM event_item i JOIN ledger_event e ON e.seq = i.event_seq
       WHERE e.event_id = $1 ORDER BY role, identifier`,
      event.event.eventId,
    );
  }
  async function alertsFor(event: ReturnType<typeof signed>) {
    return f.query<{ code: string; severity: string; identifier: string; message: string }>(
      `SELECT code, severity::text, identifier, message FROM alert WHERE event_id = $1 ORDER BY id`,
      event.event.eventId,
    );
  }

  it('moves custody on consistent events; while in transit the custodian is still the sender', async () => {
    const u = fresh();
    await accept(commission(u));
    expect(await state(u)).toMatchObject({ status: 'ACTIVE', custodian: maker.id });
    await accept(ship(maker, dist, u));
    expect(await state(u)).toMatchObject({
      status: 'IN_TRANSIT',
      custodian: maker.id,
      shipment_to: dist.id,
    });
    await accept(receive(dist, maker, u), ship(dist, pharmacy, u), receive(pharmacy, dist, u));
    expect(await state(u)).toMatchObject({ status: 'ACTIVE', custodian: pharmacy.id });
    const dispense = signed(pharmacy, { type: 'DISPENSE', items: [u] });
    await accept(dispense);
    expect(await state(u)).toMatchObject({ status: 'DISPENSED', custodian: pharmacy.id });
    expect(await flags(dispense)).toEqual([{ identifier: u, role: 'ITEM', flag: null }]);
  });

  it('flags CONFLICTING_CUSTODY on a second COMMISSION of a serial, and keeps the first', async () => {
    const u = fresh();
    await accept(commission(u), ship(maker, dist, u));
    const again = commission(u);
    await accept(again);
    expect(await flags(again)).toEqual([
      { identifier: u, role: 'ITEM', flag: 'CONFLICTING_CUSTODY' },
    ]);
    expect(await state(u)).toMatchObject({ status: 'IN_TRANSIT', custodian: maker.id });
    expect(await alertsFor(again)).toEqual([
      expect.objectContaining({ code: 'CONFLICTING_CUSTODY', severity: 'WARNING', identifier: u }),
    ]);
  });

  it('judges item by item: CUSTODY_BREAK for shipping a unit another party holds', async () => {
    const mine = fresh();
    const theirs = fresh();
    await accept(commission(mine, theirs), ship(maker, dist, theirs), receive(dist, maker, theirs));
    const event = ship(maker, dist2, mine, theirs);
    await accept(event);
    expect(await flags(event)).toEqual([
      { identifier: mine, role: 'ITEM', flag: null },
      { identifier: theirs, role: 'ITEM', flag: 'CUSTODY_BREAK' },
    ]);
    expect(await state(mine)).toMatchObject({ status: 'IN_TRANSIT', shipment_to: dist2.id });
    expect(await state(theirs)).toMatchObject({ status: 'ACTIVE', custodian: dist.id });
    const [alert] = await alertsFor(event);
    expect(alert).toMatchObject({ code: 'CUSTODY_BREAK', identifier: theirs });
    expect(alert!.message).toContain(`is held by ${dist.id}, not ${maker.id}`);
  });

  it('flags CUSTODY_BREAK for a receipt with no matching shipment, or by another recipient', async () => {
    const u = fresh();
    await accept(commission(u));
    const never = receive(dist, maker, u);
    await accept(never);
    expect((await flags(never))[0]!.flag).toBe('CUSTODY_BREAK');
    expect(await state(u)).toMatchObject({ status: 'ACTIVE', custodian: maker.id });

    await accept(ship(maker, dist, u));
    const wrong = receive(dist2, maker, u);
    await accept(wrong);
    expect((await flags(wrong))[0]!.flag).toBe('CUSTODY_BREAK');
    expect(await state(u)).toMatchObject({ status: 'IN_TRANSIT', shipment_to: dist.id });
  });

  it('flags CONFLICTING_CUSTODY when a second party receives a unit another one holds', async () => {
    const u = fresh();
    await accept(commission(u), ship(maker, dist, u), receive(dist, maker, u));
    const second = receive(dist2, dist2.id === maker.id ? dist : maker, u);
    await accept(second);
    expect((await flags(second))[0]!.flag).toBe('CONFLICTING_CUSTODY');
    expect(await state(u)).toMatchObject({ custodian: dist.id });
  });

  it('flags ALREADY_DISPENSED for dispensing a dispensed unit', async () => {
    const u = fresh();
    await accept(commission(u), ship(maker, pharmacy, u), receive(pharmacy, maker, u));
    await accept(signed(pharmacy, { type: 'DISPENSE', items: [u] }));
    const again = signed(pharmacy, { type: 'DISPENSE', items: [u] });
    await accept(again);
    expect(await flags(again)).toEqual([
      { identifier: u, role: 'ITEM', flag: 'ALREADY_DISPENSED' },
    ]);
    expect((await alertsFor(again))[0]).toMatchObject({
      code: 'ALREADY_DISPENSED',
      severity: 'CRITICAL',
    });
  });

  it('flags DECOMMISSIONED for acting on a decommissioned unit, UNKNOWN_IDENTIFIER for a never-commissioned one', async () => {
    const u = fresh();
    await accept(
      commission(u),
      signed(maker, { type: 'DECOMMISSION', items: [u], reason: 'STOLEN' }),
    );
    expect(await state(u)).toMatchObject({ status: 'DECOMMISSIONED' });
    const unknown = fresh();
    const event = ship(maker, dist, u, unknown);
    await accept(event);
    expect(await flags(event)).toEqual([
      { identifier: u, role: 'ITEM', flag: 'DECOMMISSIONED' },
      { identifier: unknown, role: 'ITEM', flag: 'UNKNOWN_IDENTIFIER' },
    ]);
    expect(await state(unknown)).toBeUndefined();
  });

  it('packing inherits: shipping and receiving a pallet moves every case and unit in it', async () => {
    const [a, b, c] = [fresh(), fresh(), fresh()];
    const [case1, case2, pallet] = [ssccUri(101), ssccUri(102), ssccUri(103)];
    await accept(
      commission(a, b, c),
      signed(maker, { type: 'PACK', items: [a, b], parent: case1 }),
      signed(maker, { type: 'PACK', items: [c], parent: case2 }),
      signed(maker, { type: 'PACK', items: [case1, case2], parent: pallet }),
      ship(maker, dist, pallet),
    );
    for (const id of [a, b, c, case1, case2, pallet]) {
      expect(await state(id)).toMatchObject({
        status: 'IN_TRANSIT',
        shipment_to: dist.id,
        custodian: maker.id,
      });
    }
    // A unit inside a shipped pallet cannot be shipped on its own by the sender.
    const sneaky = ship(maker, dist2, a);
    await accept(sneaky);
    expect((await flags(sneaky))[0]!.flag).toBe('CUSTODY_BREAK');

    await accept(receive(dist, maker, pallet));
    for (const id of [a, b, c, case1, case2, pallet]) {
      expect(await state(id)).toMatchObject({
        status: 'ACTIVE',
        custodian: dist.id,
        shipment_to: null,
      });
    }
    expect(await state(a)).toMatchObject({ parent: case1 });
    const unpack = signed(dist, { type: 'UNPACK', items: [a], parent: case1 });
    await accept(unpack, ship(dist, pharmacy, a));
    expect(await state(a)).toMatchObject({
      parent: null,
      status: 'IN_TRANSIT',
      shipment_to: pharmacy.id,
    });
    expect(await state(b)).toMatchObject({ parent: case1, status: 'ACTIVE', custodian: dist.id });
    // Unpacking what is not in the case is a custody break on that item.
    const wrongUnpack = signed(dist, { type: 'UNPACK', items: [c], parent: case1 });
    await accept(wrongUnpack);
    expect((await flags(wrongUnpack)).find((r) => r.role === 'ITEM')!.flag).toBe('CUSTODY_BREAK');
  });

  it('stores alerts and announces each on the custos_alert channel when the transaction commits', async () => {
    const listener = new Client({ connectionString: f.db.url });
    await listener.connect();
    const heard: Notification[] = [];
    listener.on('notification', (n) => heard.push(n));
    await listener.query(`LISTEN ${ALERT_CHANNEL}`);
    try {
      const u = fresh();
      await accept(commission(u));
      const twice = commission(u);
      await accept(twice);
      const [row] = await f.query<{ id: bigint }>(
        `SELECT id FROM alert WHERE event_id = $1`,
        twice.event.eventId,
      );
      for (let i = 0; i < 50 && heard.length === 0; i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(heard.map((n) => [n.channel, n.payload])).toEqual([[ALERT_CHANNEL, String(row!.id)]]);
      // A rejected batch raises nothing.
      heard.length = 0;
      const rejected = await f.ingest.submit([
        commission(u),
        { ...commission(fresh()), signature: 'A'.repeat(86) },
      ]);
      expect(rejected.accepted).toEqual([]);
      await new Promise((r) => setTimeout(r, 100));
      expect(heard).toEqual([]);
    } finally {
      await listener.end();
    }
  });

  it('two concurrent submissions shipping the same unit: exactly one is clean, the other flagged', async () => {
    for (let round = 0; round < 5; round++) {
      const u = fresh();
      await accept(commission(u));
      const [one, two] = [ship(maker, dist, u), ship(maker, dist2, u)];
      const results = await Promise.all([f.ingest.submit([one]), f.ingest.submit([two])]);
      expect(results.map((r) => r.rejected)).toEqual([[], []]);
      const outcome = [(await flags(one))[0]!.flag, (await flags(two))[0]!.flag];
      expect(outcome.filter((flag) => flag === null)).toHaveLength(1);
      expect(outcome.filter((flag) => flag === 'CUSTODY_BREAK')).toHaveLength(1);
      const winner = outcome[0] === null ? dist : dist2;
      expect(await state(u)).toMatchObject({ status: 'IN_TRANSIT', shipment_to: winner.id });
    }
  });

  it('two concurrent COMMISSIONs of one serial: one is clean, the other CONFLICTING_CUSTODY', async () => {
    const u = fresh();
    const [one, two] = [commission(u), commission(u)];
    await Promise.all([accept(one), accept(two)]);
    const outcome = [(await flags(one))[0]!.flag, (await flags(two))[0]!.flag].sort();
    expect(outcome).toEqual(['CONFLICTING_CUSTODY', null]);
  });
});
