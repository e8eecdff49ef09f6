import { parse } from 'csv-parse/sync';
import { startFleet } from './support/fleet';
import { startTestApp, TestApp } from './support/test-app';

type Fleet = Awaited<ReturnType<typeof startFleet>>;

/** `GET /users/export.csv`: the filtered users as CSV, streamed by batches, cells a spreadsheet will not run. */
describe('users exported as CSV', () => {
  let t: TestApp;
  let fleet: Fleet;
  let bot: { Authorization: string };
  const exported = async (query = '') => {
    const response = await t.http().get(`/api/v1/users/export.csv${query}`).set(fleet.auth).expect(200);
    return { response, rows: parse(response.text, { columns: true }) as Array<Record<string, string>> };
  };

  beforeAll(async () => {
    t = await startTestApp();
    fleet = await startFleet(t, [{ node: { maxUsers: 2000 } }]);
    bot = { Authorization: `Bearer ${await t.tokenFor('bot')}` };
  });
  afterAll(async () => {
    await t.close();
    await fleet.stop();
  });

  it('writes every matching user (past one batch), filtered as the users list is, as text a spreadsheet will not run', async () => {
    await t.http().put('/api/v1/keys/7001').set(bot).send({ username: '=HYPERLINK("http://evil")' }).expect(201);
    await t.http().put('/api/v1/keys/7002').set(bot).send({ username: 'bob, "the builder"' }).expect(201);
    // More users than one batch of the export, straight into the database.
    await t.dataSource.query(
      `INSERT INTO vpn_users (telegram_id, uuid, subscription_token, username)
       SELECT 800000 + g, gen_random_uuid(), md5(g::text) || md5((g + 1)::text), 'bulk-' || g FROM generate_series(1, 1200) g`,
    );
    const { response, rows } = await exported();
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe('attachment; filename="users.csv"');
    expect(rows).toHaveLength(1202);
    expect(new Set(rows.map((row) => row['id'])).size).toBe(1202);
    const [evil, bob] = rows;
    expect(evil).toMatchObject({ telegram_id: '7001', username: `'=HYPERLINK("http://evil")`, status: 'active' });
    expect(evil['servers']).toMatch(/^default:/);
    expect(bob['username']).toBe('bob, "the builder"');
    expect(Object.keys(evil)).not.toContain('uuid');
    expect(response.text).not.toMatch(/\/sub\//);

    expect((await exported('?search=7002')).rows.map((row) => row['telegram_id'])).toEqual(['7002']);
    expect((await exported(`?nodeId=${fleet.nodeIds[0]}`)).rows).toHaveLength(2);
    expect((await exported('?status=disabled')).rows).toEqual([]);
  });

  it('refuses bad filters naming them, and strangers; viewers may export (no credential is in it)', async () => {
    for (const [query, field] of [
      ['?status=gone', 'status'],
      ['?nodeId=0', 'nodeId'],
      ['?nodeId=abc', 'nodeId'],
      [`?search=${'x'.repeat(256)}`, 'search'],
    ]) {
      const { body } = await t.http().get(`/api/v1/users/export.csv${query}`).set(fleet.auth).expect(400);
      expect(body.message.join(' ')).toContain(field);
    }
    await t.http().get('/api/v1/users/export.csv').expect(401);
    await t.http().get('/api/v1/users/export.csv').set(bot).expect(403);
    const viewer = { Authorization: `Bearer ${await t.tokenFor('viewer')}` };
    await t.http().get('/api/v1/users/export.csv?status=disabled').set(viewer).expect(200);
  });
});
