// The regulators' alert list (SPEC section 7): a Relay page, newest first, filtered by
// code, severity, participant and time.
import { Injectable } from '@nestjs/common';
import { DomainError } from '@custos/core/errors/domain-error';
import {
  type AlertFilter,
  type AlertRecord,
  AlertRepository,
} from '@custos/store/alert.repository';
import { decodeCursor, encodeCursor, pageSize } from './cursor';

export interface AlertPage {
  readonly edges: readonly { readonly cursor: string; readonly node: AlertRecord }[];
  readonly hasNextPage: boolean;
  readonly endCursor: string | null;
}

const CURSOR_KIND = 'alert';

@Injectable()
export class AlertsService {
  constructor(private readonly repository: AlertRepository) {}

  async list(
    filter: AlertFilter,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<AlertPage> {
    const size = pageSize(first, 50);
    let beforeId: bigint | null = null;
    if (after) {
      const key = decodeCursor(CURSOR_KIND, after);
      if (!/^\d+$/.test(key))
        throw new DomainError('BAD_USER_INPUT', 'after: not an alert cursor', 'after');
      beforeId = BigInt(key);
    }
    const rows = await this.repository.page(filter, beforeId, size + 1);
    const edges = rows
      .slice(0, size)
      .map((node) => ({ cursor: encodeCursor(CURSOR_KIND, node.id.toString()), node }));
    return {
      edges,
      hasNextPage: rows.length > size,
      endCursor: edges.at(-1)?.cursor ?? null,
    };
  }
}
