// The EPCIS conformance material (test/conformance.ts finds it): GS1's JSON Schemas,
// compiled once per test file, and the held example documents.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { conformancePath, readConformanceJson } from '../../../test/conformance';
import { type SchemaValidator, createSchemaValidator } from '../src/schema-validator';

let documentSchema: SchemaValidator | undefined;
let querySchema: SchemaValidator | undefined;

/** GS1 EPCIS 2.0 JSON Schema (EPCISDocument, EPCISQueryDocument). */
export function epcisSchema(): SchemaValidator {
  documentSchema ??= createSchemaValidator(
    readConformanceJson<object>('epcis', 'gs1-epcis', 'schema', 'EPCIS-JSON-Schema.json'),
  );
  return documentSchema;
}

/** GS1 EPCIS 2.0 query schema (named query definitions). */
export function epcisQuerySchema(): SchemaValidator {
  querySchema ??= createSchemaValidator(
    readConformanceJson<object>('epcis', 'gs1-epcis', 'schema', 'EPCIS-Query-JSON-Schema.json'),
  );
  return querySchema;
}

export const readEpcisJson = <T = unknown>(relative: string): T =>
  JSON.parse(readFileSync(conformancePath('epcis', relative), 'utf8')) as T;

export const readEpcisText = (relative: string): string =>
  readFileSync(conformancePath('epcis', relative), 'utf8');

export const listEpcis = (relative: string): string[] =>
  readdirSync(conformancePath('epcis', relative)).sort();

export const epcisFile = (...parts: string[]): string => join(...parts);
