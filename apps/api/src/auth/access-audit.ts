// Which access rule each GraphQL operation has: every field of Query, Mutation and
// Subscription in the executable schema, matched to the resolver method that serves it.
// A test fails on any operation without a rule (test/e2e/access-rules.e2e.spec.ts).
import type { INestApplicationContext } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { ACCESS_RULE, type AccessRule } from './access.decorator';

// @nestjs/graphql's metadata keys (graphql.constants), set by @Query, @Mutation, @Subscription.
const RESOLVER_TYPE = 'graphql:resolver_type';
const RESOLVER_NAME = 'graphql:resolver_name';

export interface OperationAccess {
  /** `Mutation.signIn` */
  readonly operation: string;
  /** `SignInResolver.signIn`, or undefined when no resolver method serves it. */
  readonly resolver: string | undefined;
  readonly rule: AccessRule | undefined;
}

function resolverMethods(app: INestApplicationContext) {
  const found = new Map<string, { resolver: string; rule: AccessRule | undefined }>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.providers.values()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object') continue;
      const type = instance.constructor as new (...args: never[]) => unknown;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        // Read descriptors, never values: a getter may not be callable outside a request.
        const method: unknown = Object.getOwnPropertyDescriptor(prototype, name)?.value;
        if (name === 'constructor' || typeof method !== 'function') continue;
        const rootType = (Reflect.getMetadata(RESOLVER_TYPE, method) ?? undefined) as
          string | undefined;
        if (rootType !== 'Query' && rootType !== 'Mutation' && rootType !== 'Subscription')
          continue;
        const field = (Reflect.getMetadata(RESOLVER_NAME, method) as string | undefined) ?? name;
        const rule = (Reflect.getMetadata(ACCESS_RULE, method) ??
          Reflect.getMetadata(ACCESS_RULE, type)) as AccessRule | undefined;
        found.set(`${rootType}.${field}`, { resolver: `${type.name}.${name}`, rule });
      }
    }
  }
  return found;
}

/** Every operation of the running app's schema with the rule that guards it. */
export function auditAccessRules(app: INestApplicationContext): OperationAccess[] {
  const { schema } = app.get(GraphQLSchemaHost);
  const methods = resolverMethods(app);
  const report: OperationAccess[] = [];
  for (const root of [
    schema.getQueryType(),
    schema.getMutationType(),
    schema.getSubscriptionType(),
  ]) {
    if (!root) continue;
    for (const field of Object.keys(root.getFields())) {
      const operation = `${root.name}.${field}`;
      const method = methods.get(operation);
      report.push({ operation, resolver: method?.resolver, rule: method?.rule });
    }
  }
  return report;
}
