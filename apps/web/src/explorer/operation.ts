// Which operation of a GraphQL document a request runs, and whether it is a
// subscription (GraphQL spec section 6.1 "Executing Requests": the named operation, or
// the only one). Pure; a document that does not parse goes to HTTP, whose answer says why.
import { Kind, type OperationDefinitionNode, OperationTypeNode, parse } from 'graphql';

export function isSubscription(query: string, operationName?: string | null): boolean {
  let operations: OperationDefinitionNode[];
  try {
    operations = parse(query).definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
  } catch {
    return false;
  }
  const chosen = operationName
    ? operations.find((o) => o.name?.value === operationName)
    : operations.length === 1
      ? operations[0]
      : undefined;
  return chosen?.operation === OperationTypeNode.SUBSCRIPTION;
}
