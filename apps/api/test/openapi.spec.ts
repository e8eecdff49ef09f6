import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startTestApp, TestApp } from './support/test-app';

/** The committed description bots and the SDK build on. `npm run openapi` writes it again from the app. */
const COMMITTED = resolve(__dirname, '../../../libs/sdk/openapi.json');

describe('the OpenAPI document', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('is what the app serves: the committed file is current', async () => {
    const { body: served } = await t.http().get('/api/docs-json').expect(200);
    const text = `${JSON.stringify(served, null, 2)}\n`;
    if (process.env['OPENAPI_WRITE'] === '1') writeFileSync(COMMITTED, text);
    expect(readFileSync(COMMITTED, 'utf8')).toBe(text);
  });

  it('gives every operation a summary and says which need no credentials', async () => {
    const { body: document } = await t.http().get('/api/docs-json').expect(200);
    expect(document.security).toEqual([{ bearer: [] }]);
    const operations = Object.values<Record<string, { summary?: string; security?: unknown[] }>>(
      document.paths,
    ).flatMap((methods) => Object.values(methods));
    expect(operations.filter((operation) => !operation.summary)).toEqual([]);
    expect(document.paths['/api/v1/keys/{telegramId}'].put.summary).toBe('Get or create');
    expect(document.paths['/healthz'].get.security).toEqual([]);
    expect(document.paths['/api/v1/auth/login'].post.security).toEqual([]);
    expect(document.paths['/api/v1/nodes'].get.security).not.toEqual([]);
  });
});
