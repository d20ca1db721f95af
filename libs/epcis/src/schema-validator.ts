// JSON Schema validation of EPCIS 2.0 documents and query definitions with ajv 8 (draft-07)
// and ajv-formats 3, the validator GS1 names for its EPCIS JSON Schema: `format: uri` and
// `date-time` decide several rejections, so formats are checked. Every error is a JSON
// pointer (RFC 6901) into the document and a sentence. The schema is GS1's file, which the
// caller reads and passes in: this module does no I/O.
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

export interface SchemaError {
  /** JSON pointer of the failing value; `/` for the document itself. */
  readonly pointer: string;
  readonly message: string;
}

/** The schema's errors for a document, empty when it validates. */
export type SchemaValidator = (document: unknown) => readonly SchemaError[];

export function createSchemaValidator(schema: object): SchemaValidator {
  // strict: false because GS1's schema uses keywords ajv's strict mode flags (unknown
  // formats in modular parts, `if` without `then`); allErrors to name every field at once.
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  return (document) => {
    if (validate(document)) return [];
    const seen = new Set<string>();
    const out: SchemaError[] = [];
    for (const error of validate.errors ?? []) {
      const extra =
        error.keyword === 'additionalProperties'
          ? ` (${String((error.params as { additionalProperty?: unknown }).additionalProperty)})`
          : '';
      const item = {
        pointer: error.instancePath || '/',
        message: `${error.message ?? 'is invalid'}${extra}`,
      };
      const key = `${item.pointer} ${item.message}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(item);
      }
    }
    return out;
  };
}
