// The shape of one Application Identifier as the GS1 Barcode Syntax Dictionary describes
// it (see the format notes at the top of gs1-syntax-dictionary.txt). The table itself is
// generated from the dictionary into ./generated/ai-table.ts; nothing here is hand-copied.

/** N numeric, X GS1 character set 82, Y character set 39, Z base64url (set 64). */
export type CharacterSet = 'N' | 'X' | 'Y' | 'Z';

export interface AiComponent {
  readonly cset: CharacterSet;
  readonly min: number;
  readonly max: number;
  /** `[...]` in the dictionary: may be left out once the data is exhausted. */
  readonly optional: boolean;
  /** Linter names, applied in order after the character-set check. */
  readonly linters: readonly string[];
}

export interface AiEntry {
  readonly ai: string;
  /** `*` flag: predefined length, no FNC1 separator needed after it. */
  readonly predefinedLength: boolean;
  /** `?` flag: permitted as a GS1 Digital Link data attribute (query parameter). */
  readonly dlAttribute: boolean;
  readonly components: readonly AiComponent[];
  /** Each `req=` attribute: one of these groups (AIs or `nn` patterns joined by `+`) must be present. */
  readonly req: readonly (readonly (readonly string[])[])[];
  /** `ex=`: none of these AIs or patterns may appear alongside. */
  readonly ex: readonly string[];
  /** `dlpkey`: undefined when not a Digital Link primary key, else the alternative qualifier sequences. */
  readonly dlpkey?: readonly (readonly string[])[];
  readonly title: string;
}
