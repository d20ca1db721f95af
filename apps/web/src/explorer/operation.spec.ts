import { isSubscription } from './operation';

describe('isSubscription', () => {
  it('is true for the one operation of a document when it is a subscription', () => {
    expect(isSubscription('subscription { alertRaised { code } }')).toBe(true);
    expect(isSubscription('{ serverInfo { version } }')).toBe(false);
    expect(isSubscription('mutation M { startAudit { id } }')).toBe(false);
  });

  it('follows operationName among several operations', () => {
    const doc = 'query Q { serverInfo { version } } subscription S { alertRaised { code } }';
    expect(isSubscription(doc, 'S')).toBe(true);
    expect(isSubscription(doc, 'Q')).toBe(false);
    expect(isSubscription(doc)).toBe(false); // ambiguous: the server refuses it over HTTP
    expect(isSubscription(doc, 'Missing')).toBe(false);
  });

  it('sends a document that does not parse to HTTP, whose answer says why', () => {
    expect(isSubscription('subscription {')).toBe(false);
  });
});
