// Reads the key a pharmacist drops on the page or picks (SPEC section 3 "Key files"):
// the JSON `custos keygen` and `custos demo` write, or a PKCS#8 PEM. Parsing is
// libs/sdk's, the same code the CLI reads key files with; the file's text stays in this
// page. Pure apart from File.text(): the caller shows what went wrong.
import { CustosArgumentError } from '@custos/sdk/errors';
import { type CustosKey, parseKeyFile, parsePkcs8 } from '@custos/sdk/keys';

/** Key files are a few hundred bytes; anything much larger is not one. */
const MAX_KEY_FILE_BYTES = 16 * 1024;

/** A key file that cannot be used, said so a pharmacist knows which file to pick instead. */
export class KeyFileError extends Error {}

/**
 * The key in `text`, read from a file called `name`. A PEM carries no participant id:
 * `participantId` (typed in the page) supplies it, and the key id defaults to `k1`.
 */
export function keyFromText(
  text: string,
  name: string,
  participantId?: string,
  keyId?: string,
): CustosKey {
  try {
    if (text.includes('-----BEGIN')) {
      if (!participantId) {
        throw new KeyFileError(
          `${name} is a PEM key, which does not say whose it is: type the participant id (GLN) first, then pick it again.`,
        );
      }
      return parsePkcs8(text, keyId || 'k1', participantId);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new KeyFileError(
        `${name} is not a key file: pick the .json file \`custos keygen\` or \`custos demo\` wrote.`,
      );
    }
    const key = parseKeyFile(json, name);
    if (key.participantId === undefined && !participantId) {
      throw new KeyFileError(
        `${name} does not name its participant (it was never registered): type the participant id (GLN) first, then pick it again.`,
      );
    }
    return key.participantId === undefined ? { ...key, participantId } : key;
  } catch (err) {
    if (err instanceof CustosArgumentError) {
      throw new KeyFileError(`${name} cannot be used: ${err.message}.`);
    }
    throw err;
  }
}

export async function keyFromFile(
  file: File,
  participantId?: string,
  keyId?: string,
): Promise<CustosKey> {
  if (file.size > MAX_KEY_FILE_BYTES) {
    throw new KeyFileError(`${file.name} is ${file.size} bytes: too large to be a key file.`);
  }
  return keyFromText(await file.text(), file.name, participantId, keyId);
}
