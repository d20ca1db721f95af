import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import type { Config } from '@custos/core/config/config';
import { AccessGuard } from './auth/access.guard';
import { formatGraphqlError } from './graphql/format-error';
import { ParticipantsModule } from '@custos/participants/participants.module';
import { ParticipantResolver } from './participants/participant.resolver';
import { SignInResolver } from './participants/sign-in.resolver';
import { ServerInfoResolver } from './system/server-info.resolver';

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
          context: ({ req }: { req: unknown }) => ({ req }),
        }),
        ParticipantsModule,
      ],
      providers: [
        { provide: APP_GUARD, useClass: AccessGuard },
        ServerInfoResolver,
        ParticipantResolver,
        SignInResolver,
      ],
    };
  }
}
