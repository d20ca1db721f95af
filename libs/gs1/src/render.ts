// Writes a Gs1Identifier back out in each form parseIdentifier reads: Digital Link URI
// (GS1 Digital Link standard 1.2), bracketed element string (GS1 General Specifications
// 4.15), scanner data (AIM symbology identifier + element string with GS, section 7.8) and
// EPC URN (EPC Tag Data Standard 2.x section 6). An EPC URN carries the key only, and
// needs the GS1 Company Prefix length, which the value has only when it came from a URN.
import { renderDigitalLink } from './digital-link';
import { GS, renderBracketed, renderElementString } from './element-string';
import { assertCompanyPrefixLength, escapeUrnComponent, gtinToEpcFields } from './epc';
import type { Gs1Identifier } from './identifier';
import { identifierToElements } from './identifier';
import type { IdentifierForm } from './parse';

export interface RenderOptions {
  /** Digital Link stem; default https://id.gs1.org. */
  readonly stem?: string;
  /** Scan form: symbology identifier to lead with; default `]d2` (GS1 DataMatrix). */
  readonly symbologyIdentifier?: string;
  /** EPC URN form: the GS1 Company Prefix length, if the value does not carry it. */
  readonly companyPrefixLength?: number;
}

function epcUrn(id: Gs1Identifier, options: RenderOptions): string {
  const cplOf = (keyLength: number) =>
    assertCompanyPrefixLength(id.companyPrefixLength ?? options.companyPrefixLength, keyLength);
  switch (id.kind) {
    case 'unit':
      return `urn:epc:id:sgtin:${gtinToEpcFields(id.gtin, cplOf(13))}.${escapeUrnComponent(id.serial)}`;
    case 'product':
      return id.lot !== undefined
        ? `urn:epc:class:lgtin:${gtinToEpcFields(id.gtin, cplOf(13))}.${escapeUrnComponent(id.lot)}`
        : `urn:epc:idpat:sgtin:${gtinToEpcFields(id.gtin, cplOf(13))}.*`;
    case 'logistic-unit': {
      const cpl = cplOf(17);
      return `urn:epc:id:sscc:${id.sscc.slice(1, 1 + cpl)}.${id.sscc[0]!}${id.sscc.slice(1 + cpl, 17)}`;
    }
    case 'location': {
      const cpl = cplOf(12);
      return `urn:epc:id:sgln:${id.gln.slice(0, cpl)}.${id.gln.slice(cpl, 12)}.${escapeUrnComponent(id.extension ?? '0')}`;
    }
    case 'party': {
      const cpl = cplOf(12);
      return `urn:epc:id:pgln:${id.gln.slice(0, cpl)}.${id.gln.slice(cpl, 12)}`;
    }
  }
}

export function render(
  id: Gs1Identifier,
  form: IdentifierForm,
  options: RenderOptions = {},
): string {
  switch (form) {
    case 'digital-link':
      return renderDigitalLink(
        identifierToElements(id),
        options.stem === undefined ? {} : { stem: options.stem },
      );
    case 'element-string':
      return renderBracketed(identifierToElements(id));
    case 'scan':
      return (
        (options.symbologyIdentifier ?? ']d2') + renderElementString(identifierToElements(id), GS)
      );
    case 'epc-urn':
      return epcUrn(id, options);
  }
}
