// With CUSTOS_GRAPHQL_INTROSPECTION=false, a query for the schema (__schema, __type) is
// refused in validation with a sentence that names the setting, instead of graphql-js's
// NoSchemaIntrospectionCustomRule wording, which does not say how to turn it back on.
import {
  type ASTVisitor,
  getNamedType,
  GraphQLError,
  isIntrospectionType,
  type ValidationContext,
} from 'graphql';

export function IntrospectionOffRule(context: ValidationContext): ASTVisitor {
  return {
    Field(node) {
      const type = getNamedType(context.getType());
      if (type && isIntrospectionType(type)) {
        context.reportError(
          new GraphQLError(
            `introspection is off on this server (CUSTOS_GRAPHQL_INTROSPECTION=false): the query asks for "${node.name.value}"; the schema is apps/api/src/schema.gql in the source`,
            { nodes: node },
          ),
        );
      }
    },
  };
}
