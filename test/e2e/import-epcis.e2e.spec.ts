// custos import-epcis against a running server (issue 16): a partner's document of
// pharma events is mapped, signed with the importer's key and accepted (again: already
// stored); a sample of the held openepcis capture documents, one of each event type, is
// imported too through the CLI, and each of its events is refused by name with its reason
// (none fits the mapping); the counts are printed. Every held document goes through the same
// import in-process in libs/sdk/src/epcis-import.spec.ts: here each costs a CLI start.
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { epcisDocument } from '../../libs/epcis/src/document';
import { toEpcisEvent } from '../../libs/epcis/src/to-epcis';
import { gln } from '../fixtures/ledger-world';
import { type Product, startProduct } from '../product';
import { tempDir } from '../storage';

const LAUNCHER = join(__dirname, '..', '..', 'bin', 'custos.cjs');
const OPENEPCIS = join(
  __dirname,
  '../conformance/epcis/openepcis-test-resources/2.0/JSON/Capture/Documents',
);
const SAMPLE = [
  'ObjectEvent.json',
  'AggregationEvent_all_possible_fields.json',
  'AssociationEvent.json',
  'TransactionEvent_with_userExtensions.json',
  'TransformationEvent.json',
  'Combination_of_different_event.json',
];

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('custos import-epcis', () => {
  const data = tempDir('import-epcis-data');
  const work = tempDir('import-epcis-work');
  let product: Product;
  let env: Record<string, string>;

  const custos = (args: string[]): Promise<Ran> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [LAUNCHER, ...args], { cwd: work.path, env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.stdin.end('');
      child.once('exit', (code) => resolve({ code, stdout, stderr }));
    });

  beforeAll(async () => {
    product = await startProduct({ CUSTOS_DATA_DIR: data.path, SEAL_MAX_WAIT_MS: '100' });
    env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      CUSTOS_URL: product.url,
      CUSTOS_DATA_DIR: data.path,
    };
  });
  afterAll(async () => {
    await product?.stop();
    data.remove();
    work.remove();
  });

  it('imports a partner document, and refuses by name what the mapping cannot keep', async () => {
    const maker = gln('950600100000');
    const license = ['--license-number', 'L-1', '--license-authority', 'Agency'];
    expect((await custos(['keygen', '--out', 'maker.json'])).code).toBe(0);
    const registered = await custos([
      'register',
      '--id',
      maker,
      '--name',
      'Aurora Pharma',
      '--role',
      'MANUFACTURER',
      '--prefix',
      '9506001',
      '--key',
      'maker.json',
      '--valid-from',
      '2020-01-01T00:00:00Z',
      ...license,
      '--license-valid-until',
      '2099-12-31',
    ]);
    expect([registered.code, registered.stderr]).toEqual([0, '']);
    expect((await custos(['login', '--key', 'maker.json'])).code).toBe(0);

    // A partner system's document: its own eventIDs, times with an offset, no custos: fields.
    const items = [1, 2, 3].map((n) => `https://id.gs1.org/01/09506001000014/21/E${n}`);
    const partner = (event: Record<string, unknown>, id: string) => {
      const epcis = toEpcisEvent({ event: event });
      for (const field of Object.keys(epcis)) if (field.startsWith('custos:')) delete epcis[field];
      return { ...epcis, eventID: id, eventTime: '2026-12-01T10:00:00.000+01:00' };
    };
    const base = { eventId: '00000000-0000-4000-8000-000000000001', actor: maker, items };
    writeFileSync(
      join(work.path, 'partner.json'),
      JSON.stringify(
        epcisDocument(
          [
            partner(
              {
                ...base,
                type: 'COMMISSION',
                eventTime: '2026-12-01T09:00:00.000Z',
                lot: 'L1',
                expiry: '2030-12-31',
              },
              'partner-commission-1',
            ),
            partner(
              {
                ...base,
                type: 'DECOMMISSION',
                eventTime: '2026-12-01T09:00:00.000Z',
                items: [items[2]],
                reason: 'DESTROYED',
              },
              'partner-destroy-1',
            ),
          ],
          '2026-12-01T10:00:00Z',
        ),
      ),
    );
    const imported = await custos([
      'import-epcis',
      'partner.json',
      '--key',
      'maker.json',
      '--wait',
    ]);
    expect([imported.code, imported.stderr]).toEqual([0, expect.any(String)]);
    expect(imported.stdout).toContain(
      '2 EPCIS events: 2 mapped and signed, 0 refused; 2 sent: 2 accepted, 0 already stored, 0 rejected',
    );
    const again = await custos(['import-epcis', 'partner.json', '--key', 'maker.json', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, accepted: 0, duplicates: 2 });
    const verified = await custos(['verify', items[0]!]);
    expect(verified.stdout).toMatch(/^AUTHENTIC/m);

    // A sample of the held openepcis capture documents: every event refused by name, with
    // its reason.
    expect(SAMPLE.filter((file) => !existsSync(join(OPENEPCIS, file)))).toEqual([]);
    const totals = { documents: 0, events: 0, mapped: 0, refused: 0, accepted: 0 };
    for (const file of SAMPLE) {
      const ran = await custos([
        'import-epcis',
        join(OPENEPCIS, file),
        '--key',
        'maker.json',
        '--json',
      ]);
      const summary = JSON.parse(ran.stdout) as {
        ok: boolean;
        events: number;
        mapped: number;
        accepted: number;
        refused: { name: string; pointer: string; field: string; reason: string }[];
      };
      expect([file, ran.code === 0, summary.ok]).toEqual([file, summary.ok, summary.ok]);
      for (const r of summary.refused) {
        expect(r.name.length).toBeGreaterThan(0);
        expect(r.reason.length).toBeGreaterThan(5);
      }
      totals.documents++;
      totals.events += summary.events;
      totals.mapped += summary.mapped;
      totals.refused += summary.refused.length;
      totals.accepted += summary.accepted;
    }
    process.stdout.write(
      `custos import-epcis of ${totals.documents} openepcis capture documents: ${totals.events} events, ` +
        `${totals.mapped} mapped and signed, ${totals.accepted} accepted, ${totals.refused} refused by name\n`,
    );
    expect(totals.mapped + totals.refused).toBe(totals.events);
    expect(totals.refused).toBeGreaterThan(0);
    const sensor = await custos([
      'import-epcis',
      join(OPENEPCIS, 'ObjectEvent_with_sensorData.json'),
      '--key',
      'maker.json',
    ]);
    expect(sensor.code).toBe(1);
    expect(sensor.stdout).toMatch(/^✗ .+ \(\/epcisBody\/eventList\/0\) refused: \/bizStep: /m);
  }, 300_000);
});
