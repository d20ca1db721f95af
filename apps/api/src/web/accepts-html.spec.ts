import { acceptsHtml } from './accepts-html';

describe('acceptsHtml', () => {
  it('is true for what browsers send when they open a page', () => {
    expect(
      acceptsHtml('text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8'),
    ).toBe(true);
    expect(acceptsHtml('text/html')).toBe(true);
    expect(acceptsHtml('TEXT/HTML; charset=utf-8')).toBe(true);
  });

  it('is false for GraphQL clients, scripts and a refused text/html', () => {
    expect(acceptsHtml(undefined)).toBe(false);
    expect(acceptsHtml('')).toBe(false);
    expect(acceptsHtml('*/*')).toBe(false);
    expect(acceptsHtml('application/json')).toBe(false);
    expect(acceptsHtml('application/graphql-response+json, application/json;q=0.9')).toBe(false);
    expect(acceptsHtml('text/html;q=0, application/json')).toBe(false);
    expect(acceptsHtml('text/htmlx')).toBe(false);
  });
});
