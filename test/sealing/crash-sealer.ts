// A sealer process for the crash test: seals block after block and, inside the
// transaction of block CRASH_AT_HEIGHT (after every write, before the commit), says so on
// stdout and hangs until the test SIGKILLs it. Run with ts-node (see crash.spec.ts).
import { loadConfig } from '../../libs/core/src/config/config';
import { openSealer } from './sealer';

async function main(): Promise<void> {
  const crashAt = Number(process.env.CRASH_AT_HEIGHT ?? '0');
  const sealer = await openSealer(loadConfig(process.env), {
    migrate: false,
    hooks: {
      beforeCommit: async (block) => {
        process.stdout.write(`WROTE ${block.height} ${block.treeSize}\n`);
        if (block.height === crashAt) {
          process.stdout.write(`IN_TX ${block.height}\n`);
          await new Promise(() => undefined); // until killed
        }
      },
    },
  });
  process.stdout.write('READY\n');
  for (;;) {
    const { block } = await sealer.sealing.sealBlock();
    if (!block) break;
  }
  process.stdout.write('DRAINED\n');
  await sealer.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
