// The filters of the alerts list, which alertRaised takes too: one argument set, read into
// the service's filter in one place.
import { ArgsType, Field, ID } from '@nestjs/graphql';
import { DomainError } from '@custos/core/errors/domain-error';
import type { AlertFilter } from '@custos/regulators/alert';
import { Severity } from '../graphql/ledger-enums';

@ArgsType()
export class AlertFilterArgs {
  @Field(() => String, { nullable: true })
  code?: string | null;

  @Field(() => Severity, { nullable: true })
  severity?: Severity | null;

  @Field(() => ID, { nullable: true, description: 'The participant the alert concerns.' })
  participant?: string | null;

  @Field(() => String, { nullable: true, description: 'RFC 3339: raised at or after.' })
  since?: string | null;
}

/** The service's filter; BAD_USER_INPUT when `since` is no instant. */
export function toAlertFilter(args: AlertFilterArgs): AlertFilter {
  const since = args.since === undefined || args.since === null ? undefined : new Date(args.since);
  if (since && Number.isNaN(since.getTime())) {
    throw new DomainError('BAD_USER_INPUT', 'since: an RFC 3339 instant', 'since');
  }
  return {
    ...(args.code ? { code: args.code } : {}),
    ...(args.severity ? { severity: args.severity } : {}),
    ...(args.participant ? { participantId: args.participant } : {}),
    ...(since ? { since } : {}),
  };
}
