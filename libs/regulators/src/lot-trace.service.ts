// lotTrace (SPEC sections 1 and 7): where every unit of a lot is now. A page costs a
// fixed number of statements whatever its size: the counts, the page, and (in the
// resolver) one batched read of the custodians it names.
import { Injectable } from '@nestjs/common';
import { DomainError } from '@custos/core/errors/domain-error';
import { Gs1Error } from '@custos/gs1/errors';
import { normaliseGtin } from '@custos/gs1/keys';
import { parseIdentifier } from '@custos/gs1/parse';
import { decodeCursor, encodeCursor, pageSize } from './cursor';
import {
  type LotCounts,
  type LotUnit,
  UnitStateRepository,
} from '@custos/store/unit-state.repository';

export interface LotTraceResult extends LotCounts {
  readonly gtin: string;
  readonly lot: string;
  readonly totalUnits: number;
  readonly units: {
    readonly edges: readonly { readonly cursor: string; readonly node: LotUnit }[];
    readonly hasNextPage: boolean;
    readonly endCursor: string | null;
  };
}

const CURSOR_KIND = 'unit';

@Injectable()
export class LotTraceService {
  constructor(private readonly units: UnitStateRepository) {}

  async trace(
    gtinInput: string,
    lotInput: string,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<LotTraceResult> {
    const gtin = parseGtin(gtinInput);
    const lot = lotInput;
    if (lot.length === 0 || lot.length > 20) {
      throw new DomainError('BAD_USER_INPUT', 'lot: 1 to 20 characters (AI 10)', 'lot');
    }
    const size = pageSize(first, 100);
    const afterKey = after ? decodeCursor(CURSOR_KIND, after) : null;
    const [counts, rows] = await Promise.all([
      this.units.lotCounts(gtin, lot),
      this.units.lotPage(gtin, lot, afterKey, size + 1),
    ]);
    const edges = rows
      .slice(0, size)
      .map((node) => ({ cursor: encodeCursor(CURSOR_KIND, node.identifier), node }));
    return {
      gtin,
      lot,
      totalUnits: counts.byStatus.reduce((sum, s) => sum + s.count, 0),
      ...counts,
      units: { edges, hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }
}

/** A GTIN as digits (8, 12, 13 or 14) or any identifier form that carries one. */
function parseGtin(input: string): string {
  try {
    const text = input.trim();
    if (/^\d+$/.test(text)) return normaliseGtin(text, 'gtin');
    const id = parseIdentifier(text);
    if (id.kind === 'product' || id.kind === 'unit') return id.gtin;
    throw new DomainError('BAD_USER_INPUT', `gtin: names a ${id.kind}, not a product`, 'gtin');
  } catch (err) {
    if (err instanceof Gs1Error)
      throw new DomainError('BAD_USER_INPUT', `gtin: ${err.message}`, 'gtin');
    throw err;
  }
}
