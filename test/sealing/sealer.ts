// A sealer assembled by hand, without Nest: what the worker runs, for tests, the crash
// child process and the bench (several sealers on one database are several of these).
import type { Config } from '../../libs/core/src/config/config';
import { openStorage, type Storage } from '../../libs/core/src/database/storage';
import { SecretsService } from '../../libs/core/src/system/secrets.service';
import { SystemSettingRepository } from '../../libs/core/src/system/system-setting.repository';
import { LedgerQueryService } from '../../libs/sealing/src/ledger-query.service';
import { KeyDirectoryRepository } from '../../libs/participants/src/key-directory.repository';
import { KeyDirectoryService } from '../../libs/participants/src/key-directory.service';
import { SealingKeyService } from '../../libs/sealing/src/sealing-key.service';
import { SealingRepository } from '../../libs/sealing/src/sealing.repository';
import { AlertRepository } from '../../libs/store/src/alert.repository';
import { BlockRepository } from '../../libs/store/src/block.repository';
import { CosignatureRepository } from '../../libs/store/src/cosignature.repository';
import { LedgerEventRepository } from '../../libs/store/src/ledger-event.repository';
import { TreeNodeRepository } from '../../libs/store/src/tree-node.repository';
import { SignatureVerificationService } from '../../libs/events/src/signature-verification.service';
import {
  type SealingHooks,
  type SealingObserver,
  SealingService,
} from '../../libs/sealing/src/sealing.service';

export interface TestSealer {
  readonly config: Config;
  readonly storage: Storage;
  readonly sealing: SealingService;
  readonly query: LedgerQueryService;
  readonly key: SealingKeyService;
  readonly repository: SealingRepository;
  readonly blocks: BlockRepository;
  close(): Promise<void>;
}

export async function openSealer(
  config: Config,
  options: { hooks?: SealingHooks; observer?: SealingObserver; migrate?: boolean } = {},
): Promise<TestSealer> {
  const storage = await openStorage(config, { migrate: options.migrate ?? true });
  const blocks = new BlockRepository(storage);
  const events = new LedgerEventRepository(storage);
  const key = new SealingKeyService(
    config,
    new SecretsService(config, new SystemSettingRepository(storage)),
  );
  const keyDirectory = new KeyDirectoryService(new KeyDirectoryRepository(storage), key, config);
  const repository = new SealingRepository(
    storage,
    blocks,
    events,
    new TreeNodeRepository(storage),
    keyDirectory,
  );
  const signatures = new SignatureVerificationService();
  const sealing = new SealingService(
    config,
    repository,
    events,
    key,
    new AlertRepository(storage),
    signatures,
    keyDirectory,
    options.hooks,
    options.observer,
  );
  const query = new LedgerQueryService(
    config,
    blocks,
    new TreeNodeRepository(storage),
    events,
    key,
    new CosignatureRepository(storage),
  );
  return {
    config,
    storage,
    sealing,
    query,
    key,
    repository,
    blocks,
    close: async () => {
      await sealing.idle();
      await signatures.onModuleDestroy();
      await storage.close();
    },
  };
}
