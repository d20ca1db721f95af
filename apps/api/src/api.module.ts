import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import type { Config } from '@custos/core/config/config';
import { SealingModule } from '@custos/sealing/sealing.module';
import { EventsModule } from '@custos/events/events.module';
import { AccessGuard } from './auth/access.guard';
import { EventsResolver } from './events/events.resolver';
import { DomainErrorFilter } from './graphql/domain-error.filter';
import { formatGraphqlError } from './graphql/format-error';
import { requestLimitsPlugin } from './graphql/request-limits';
import { ParticipantsModule } from '@custos/participants/participants.module';
import { ParticipantResolver } from './participants/participant.resolver';
import { SignInResolver } from './participants/sign-in.resolver';
import { LedgerResolver } from './ledger/ledger.resolver';
import { ServerInfoResolver } from './system/server-info.resolver';
import { WebController } from './web/web.controller';
import { VerificationModule } from '@custos/verification/verification.module';
import { VerificationResolver } from './verification/verification.resolver';
import { RegulatorsModule } from '@custos/regulators/regulators.module';
import {
  acceptConnection,
  formatSubscriptionResult,
  graphqlContext,
} from './graphql/subscriptions';
import { RegulatorsResolver } from './regulators/regulators.resolver';
import { AuditResolver } from './regulators/audit.resolver';

/** The API role: code-first GraphQL at /graphql; resolvers stay thin. */
@Module({})
export class ApiModule {
  static forRoot(config: Config): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          path: '/graphql',
          // Built in memory at start; apps/api/src/schema.gql is the committed copy that
          // a test keeps in step (npm run schema rewrites it).
          autoSchemaFile: true,
          sortSchema: true,
          introspection: config.graphqlIntrospection,
          playground: false,
          includeStacktraceInErrorResponses: false,
          formatError: formatGraphqlError,
          plugins: [requestLimitsPlugin(config.requestLimits)],
          context: graphqlContext,
          subscriptions: {
            'graphql-ws': { onConnect: acceptConnection, onNext: formatSubscriptionResult },
          },
        }),
        ParticipantsModule,
        SealingModule,
        EventsModule,
        VerificationModule,
        RegulatorsModule,
      ],
      controllers: [WebController],
      providers: [
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_FILTER, useClass: DomainErrorFilter },
        ServerInfoResolver,
        ParticipantResolver,
        SignInResolver,
        LedgerResolver,
        EventsResolver,
        VerificationResolver,
        RegulatorsResolver,
        AuditResolver,
      ],
    };
  }
}
