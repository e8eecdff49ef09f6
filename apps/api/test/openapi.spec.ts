import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { WEBHOOK_EVENT_TYPES } from '../src/modules/outbox/webhook-outbox.service';
import { startTestApp, TestApp } from './support/test-app';

/** The committed description bots and the SDK build on. `npm run openapi` writes it again from the app. */
const COMMITTED = resolve(__dirname, '../../../libs/sdk/openapi.json');
/** The SDK's types, generated from it (`openapi-typescript`, then formatted). */
const SCHEMA = resolve(__dirname, '../../../libs/sdk/src/schema.ts');
const BIN = (name: string) => resolve(__dirname, '../../../node_modules/.bin', name);

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

  it('the SDK’s committed types are what openapi-typescript makes of the committed document', async () => {
    if (process.env['OPENAPI_WRITE'] === '1') return; // `npm run openapi` writes them next
    const dir = mkdtempSync(join(tmpdir(), 'sdk-'));
    try {
      const generated = join(dir, 'schema.ts');
      execFileSync(BIN('openapi-typescript'), [COMMITTED, '--default-non-nullable', 'false', '-o', generated], {
        stdio: 'ignore',
      });
      const formatted = execFileSync(BIN('prettier'), ['--stdin-filepath', SCHEMA], {
        input: readFileSync(generated),
        encoding: 'utf8',
      });
      expect(readFileSync(SCHEMA, 'utf8')).toBe(formatted);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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

  it('describes the key body whole, and every error answer with the one error body and the codes the route gives', async () => {
    const { body: document } = await t.http().get('/api/docs-json').expect(200);
    const { schemas } = document.components;
    expect(Object.keys(schemas.KeyViewDto.properties)).toEqual(
      expect.arrayContaining(['key', 'keys', 'node', 'access', 'onlineAt', 'lastNodeChange', 'planApplied']),
    );
    expect(schemas.KeyViewDto.properties.access).toEqual({ $ref: '#/components/schemas/AccessViewDto' });
    expect(schemas.AccessViewDto.properties.groups).toMatchObject({ type: 'array', items: { type: 'number' } });
    expect(schemas.Error.properties.code.enum).toContain('NO_CAPACITY');
    const put = document.paths['/api/v1/keys/{telegramId}'].put.responses;
    const codesOf = (answer: { content: Record<string, { schema: { allOf: unknown[] } }> }) => {
      const [body, narrowed] = answer.content['application/json'].schema.allOf;
      expect(body).toEqual({ $ref: '#/components/schemas/Error' });
      return (narrowed as { properties: { code: { enum: string[] } } }).properties.code.enum;
    };
    expect(codesOf(put['400'])).toEqual(['VALIDATION_FAILED']);
    expect(codesOf(put['503'])).toEqual(['NO_CAPACITY']);
    expect(codesOf(put['409'])).toEqual(['MOVE_IN_PROGRESS']);
    expect(Object.keys(put).sort()).toEqual(['200', '201', '400', '401', '403', '409', '413', '415', '503']);
    const migrate = document.paths['/api/v1/users/{id}/migrate'].post.responses;
    expect(codesOf(migrate['404'])).toEqual(['NODE_NOT_FOUND', 'USER_NOT_FOUND']);
    expect(codesOf(migrate['409'])).toEqual(['NODE_NOT_ELIGIBLE', 'MOVE_IN_PROGRESS']);
  });

  it('documents the success statuses the server answers, and the routes served outside Nest', async () => {
    const { body: document } = await t.http().get('/api/docs-json').expect(200);
    const successes = (path: string, method: string) =>
      Object.keys(document.paths[path][method].responses).filter((status) => status.startsWith('2'));
    expect(successes('/api/v1/nodes/{id}', 'delete')).toEqual(['202', '204']);
    expect(successes('/api/v1/nodes/{id}/drain', 'post')).toEqual(['200', '202']);
    expect(successes('/api/v1/balancer/rebalance', 'post')).toEqual(['200', '202']);
    expect(document.paths['/sub/{token}'].get).toMatchObject({ security: [], tags: ['subscription'] });
    expect(Object.keys(document.paths['/sub/{token}'].get.responses['200'].headers)).toContain('subscription-userinfo');
    expect(document.paths['/metrics'].get.responses['200'].content).toHaveProperty('text/plain');
  });

  it('is valid OpenAPI 3.1, and every success answer but 204 has a body schema', async () => {
    const { body: document } = await t.http().get('/api/docs-json').expect(200);
    expect(document.openapi).toBe('3.1.0');
    await expect(SwaggerParser.validate(structuredClone(document))).resolves.toBeTruthy();
    const bare = Object.entries<Record<string, { responses: Record<string, { content?: unknown }> }>>(
      document.paths,
    ).flatMap(([path, methods]) =>
      Object.entries(methods).flatMap(([method, operation]) =>
        Object.entries(operation.responses)
          .filter(([status, response]) => status.startsWith('2') && status !== '204' && !response.content)
          .map(([status]) => `${method} ${path} ${status}`),
      ),
    );
    expect(bare).toEqual([]);
    expect(JSON.stringify(document)).not.toContain('"nullable"');
  });

  it('describes every webhook sent: its envelope, its data and the signature headers', async () => {
    const { body: document } = await t.http().get('/api/docs-json').expect(200);
    expect(Object.keys(document.webhooks).sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort());
    const migrated = document.webhooks['user.migrated'].post;
    expect(migrated.parameters.map((header: { name: string }) => header.name)).toEqual(
      expect.arrayContaining(['X-Signature', 'X-Signature-Timestamp', 'X-Delivery-Id']),
    );
    const envelope = migrated.requestBody.content['application/json'].schema;
    expect(envelope.required).toEqual(['id', 'type', 'occurredAt', 'subject', 'sequence', 'data']);
    expect(envelope.properties.data.required).toEqual(
      expect.arrayContaining(['userId', 'telegramId', 'fromNodeId', 'toNodeId', 'reason']),
    );
  });

  it('the SDK builds as a package a bot can install (npm pack of dist/libs/sdk) and loads in CommonJS', () => {
    // Inside the workspace, so the build finds openapi-fetch as an installed package would.
    const dist = resolve(__dirname, '../../../dist');
    mkdirSync(dist, { recursive: true });
    const dir = mkdtempSync(join(dist, 'sdk-check-'));
    try {
      const project = resolve(__dirname, '../../../libs/sdk/tsconfig.lib.json');
      execFileSync(BIN('tsc'), ['-p', project, '--outDir', dir], { stdio: 'pipe' });
      // Loaded by plain Node, as a bot would: both entry points, a client, a refused signature.
      const script = `
        const sdk = require(${JSON.stringify(join(dir, 'src/index.js'))});
        const webhooks = require(${JSON.stringify(join(dir, 'src/webhooks.js'))});
        const client = sdk.createFleetClient({ baseUrl: 'http://127.0.0.1:9', token: 't' });
        process.stdout.write(typeof client.GET + ' ' + webhooks.verifyWebhook('{}', {}, 'secret'));`;
      expect(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })).toBe('function false');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
