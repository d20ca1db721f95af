// Errors of the EPCIS 2.0 REST binding: RFC 7807 problem details (application/problem+json)
// whose `type` is one of the binding's `epcisException:*` names, by HTTP status
// (EPCIS-REST-openapi.json components.responses).

export type EpcisExceptionType =
  | 'ValidationException'
  | 'QueryParameterException'
  | 'QueryValidationException'
  | 'SecurityException'
  | 'NoSuchResourceException'
  | 'NoSuchNameException'
  | 'NotAcceptableException'
  | 'ResourceAlreadyExistsException'
  | 'CaptureLimitExceededException'
  | 'QueryTooLargeException'
  | 'QueryTooComplexException'
  | 'URITooLongException'
  | 'UnsupportedMediaTypeException'
  | 'SubscriptionControlsException'
  | 'ImplementationException';

export interface Problem {
  readonly type: `epcisException:${EpcisExceptionType}`;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
}

const STATUS: Readonly<Record<EpcisExceptionType, number>> = {
  ValidationException: 400,
  QueryParameterException: 400,
  QueryValidationException: 400,
  SubscriptionControlsException: 400,
  SecurityException: 403,
  NoSuchResourceException: 404,
  NoSuchNameException: 404,
  NotAcceptableException: 406,
  ResourceAlreadyExistsException: 409,
  CaptureLimitExceededException: 413,
  QueryTooLargeException: 413,
  QueryTooComplexException: 413,
  URITooLongException: 414,
  UnsupportedMediaTypeException: 415,
  ImplementationException: 500,
};

/** A problem body; `status` defaults to the binding's for the type (401 passed explicitly). */
export function epcisProblem(
  type: EpcisExceptionType,
  title: string,
  options: { readonly detail?: string; readonly instance?: string; readonly status?: number } = {},
): Problem {
  return {
    type: `epcisException:${type}`,
    title,
    status: options.status ?? STATUS[type],
    ...(options.detail === undefined ? {} : { detail: options.detail }),
    ...(options.instance === undefined ? {} : { instance: options.instance }),
  };
}
