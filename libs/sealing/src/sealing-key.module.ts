import { Module } from '@nestjs/common';
import { SealingKeyService } from './sealing-key.service';

/** The sealing key alone: what signs checkpoints of both logs (docs/adr/0014). */
@Module({ providers: [SealingKeyService], exports: [SealingKeyService] })
export class SealingKeyModule {}
