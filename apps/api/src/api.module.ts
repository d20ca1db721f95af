import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import type { Config } from '@custos/core/config/config';
import { SealingModule } from '@custos/sealing/sealing.module';
import { EventsModule } from '@custos/events/events.module';
import { AccessGuard } from './auth/access.guard';
import { EventsResolver } from './events/events.resolver';
import { DomainErrorFilter } from './graphql/domain-error.filter';
import { formatExecutionErrors, GraphqlHttpRoute } from './graphql/graphql-http';
import { documentShapeHook, requestLimitsHook } from './graphql/request-limits';
import { ParticipantsModule } from '@custos/participants/participants.module';
import { ParticipantResolver } from './participants/participant.resolver';
import { SignInResolver } from './participants/sign-in.resolver';
import { LedgerResolver } from './ledger/ledger.resolver';
import { WitnessingResolver } from './ledger/witnessing.resolver';
import { CheckpointResolver } from './ledger/checkpoint.resolver';
import { ServerInfoResolver } from './system/server-info.resolver';
import { WebController } from './web/web.controller';
import { WebFiles } from './web/web-files';
import { VerificationModule } from '@custos/verification/verification.module';
import { VerificationResolver } from './verification/verification.resolver';
import { RegulatorsModule } from '@custos/regulators/regulators.module';
import { IntrospectionOffRule } from './graphql/introspection-off';
import { SocketSessions } from './graphql/socket-sessions';
import { GraphqlWsServer } from './graphql/subscriptions';
import { RegulatorsResolver } from './regulators/regulators.resolver';
import { AuditResolver } from './regulators/audit.resolver';
import { AuthModule } from './auth/auth.module';
import { HttpUpgradesModule } from './http/http-upgrades';
import { EpcisHttpModule } from './epcis/epcis-http.module';
import { LogTilesController } from './ledger/log-tiles.controller';

/** The API role: code-first GraphQL at /graphql; resolvers stay thin. */
@Module({})
export class ApiModule {
  static forRoot(config: Config): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        GraphQLModule.forRoot<MercuriusDriverConfig>({
          driver: MercuriusDriver,
          // Built in memory at start; apps/api/src/schema.gql is the committed copy that
          // a test keeps in step (npm run schema rewrites it).
          autoSchemaFile: true,
          sortSchema: true,
          // POST /graphql is our own route (graphql-http.ts) and subscriptions our own
          // graphql-ws server (subscriptions.ts); Mercurius parses, validates, caches and
          // compiles: a query seen twice runs as JIT-compiled code (graphql-jit).
          routes: false,
          subscription: false,
          jit: 1,
          errorFormatter: (execution) => formatExecutionErrors(execution),
          validationRules: config.graphqlIntrospection ? [] : [IntrospectionOffRule],
          // A document over CUSTOS_GRAPHQL_MAX_TOKENS stops the parser: validation and the
          // limits never see it (answerRefusal words the refusal).
          graphql: { parseOptions: { maxTokens: config.requestLimits.maxTokens } },
          hooks: {
            preValidation: documentShapeHook(),
            preExecution: requestLimitsHook(config.requestLimits),
          },
        }),
        ParticipantsModule,
        SealingModule,
        EventsModule,
        VerificationModule,
        RegulatorsModule,
        AuthModule,
        HttpUpgradesModule,
        EpcisHttpModule,
      ],
      controllers: [WebController, LogTilesController],
      providers: [
        WebFiles,
        GraphqlHttpRoute,
        GraphqlWsServer,
        SocketSessions,
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_FILTER, useClass: DomainErrorFilter },
        ServerInfoResolver,
        ParticipantResolver,
        SignInResolver,
        LedgerResolver,
        WitnessingResolver,
        CheckpointResolver,
        EventsResolver,
        VerificationResolver,
        RegulatorsResolver,
        AuditResolver,
      ],
    };
  }
}
