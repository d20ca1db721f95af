import { Module } from '@nestjs/common';
import { SealingKeyModule } from '@custos/sealing/sealing-key.module';
import { KeyDirectoryRepository } from './key-directory.repository';
import { KeyDirectoryService } from './key-directory.service';

/**
 * The key directory (docs/adr/0014): its tables and its checked read. Its own module, so
 * the sealer can check keys without importing participants (which imports the sealing key).
 */
@Module({
  imports: [SealingKeyModule],
  providers: [KeyDirectoryRepository, KeyDirectoryService],
  exports: [KeyDirectoryRepository, KeyDirectoryService],
})
export class KeyDirectoryModule {}
