// The one error of @custos/epcis: an event that has no counterpart on the other side of
// the mapping (docs/epcis.md). It names the field as a JSON pointer (RFC 6901) into the
// event it concerns and says in a sentence what Custos cannot keep or what to change.

export class EpcisMappingError extends Error {
  override readonly name = 'EpcisMappingError';
  /** JSON pointer of the field inside the event, e.g. `/bizStep` or `/epcList/2`. */
  readonly pointer: string;
  readonly reason: string;

  constructor(pointer: string, reason: string) {
    super(`${pointer || '/'}: ${reason}`);
    this.pointer = pointer;
    this.reason = reason;
  }
}

/** Throws an EpcisMappingError about `pointer`. */
export function refuse(pointer: string, reason: string): never {
  throw new EpcisMappingError(pointer, reason);
}

/** RFC 6901: a key as one pointer segment (`~` → `~0`, `/` → `~1`). */
export const pointerSegment = (key: string | number): string =>
  `/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
