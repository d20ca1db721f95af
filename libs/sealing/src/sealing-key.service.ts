import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Config } from '@custos/core/config/config';
import { CONFIG } from '@custos/core/tokens';
import { SecretsService } from '@custos/core/system/secrets.service';
import { bytesToHex, hexToBytes } from '@custos/ledger/bytes';
import { publicKeyOf, randomSecretKey } from '@custos/ledger/ed25519';
import { type NoteSigner, encodeVerifierKey, verifierKeyOf } from '@custos/ledger/note';

export const SEALING_KEY_SECRET = 'sealing-key';

/**
 * The ledger's Ed25519 sealing key (SPEC section 5): CUSTOS_SEALING_KEY (a 32-byte seed as
 * 64 hex characters), or, when unset, one generated on the first start and kept with the
 * data (the data folder in embedded mode, the database otherwise). Its note name is the
 * log origin, as C2SP tlog-checkpoint recommends.
 */
@Injectable()
export class SealingKeyService implements OnModuleInit {
  private readonly logger = new Logger('SealingKey');
  private loaded: Promise<NoteSigner> | undefined;
  /** The verifier key, derived once: it costs a scalar multiplication. */
  private verifierKey: Promise<string> | undefined;
  private public: Promise<Uint8Array> | undefined;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly secrets: SecretsService,
  ) {}

  /** Loads the key before any sealer or resolver runs, and prints its verifier key. */
  async onModuleInit(): Promise<void> {
    const signer = await this.signer();
    this.logger.log(`ledger verifier key (vkey): ${this.vkeyOf(signer)}`);
  }

  signer(): Promise<NoteSigner> {
    this.loaded ??= this.load();
    return this.loaded;
  }

  /** The C2SP verifier key (`<origin>+<key id>+<base64 0x01 ‖ public key>`). */
  vkey(): Promise<string> {
    this.verifierKey ??= this.signer().then((signer) => this.vkeyOf(signer));
    return this.verifierKey;
  }

  /**
   * The sealing key's 32-byte public key: what the key directory's upgrade checks the
   * attestations of a ledger from before it with (docs/adr/0013, 0014).
   */
  publicKey(): Promise<Uint8Array> {
    this.public ??= this.signer().then((signer) => publicKeyOf(signer.secretKey));
    return this.public;
  }

  private vkeyOf(signer: NoteSigner): string {
    return encodeVerifierKey(signer.name, verifierKeyOf(signer).publicKey);
  }

  private async load(): Promise<NoteSigner> {
    const name = this.config.logOrigin;
    if (this.config.sealingKeyHex) {
      return { name, secretKey: hexToBytes(this.config.sealingKeyHex, 'CUSTOS_SEALING_KEY', 32) };
    }
    const kept = await this.secrets.getOrCreate(SEALING_KEY_SECRET, () =>
      bytesToHex(randomSecretKey()),
    );
    const where =
      kept.keptIn === 'database'
        ? `in the database (system_setting secret.${SEALING_KEY_SECRET})`
        : `in ${kept.keptIn}`;
    this.logger.warn(
      `CUSTOS_SEALING_KEY is not set: ${kept.created ? 'generated a sealing key' : 'using the sealing key'} kept ${where}; production should set CUSTOS_SEALING_KEY`,
    );
    return { name, secretKey: hexToBytes(kept.value, SEALING_KEY_SECRET, 32) };
  }
}
