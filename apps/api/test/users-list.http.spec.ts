import { startTestApp, TestApp } from './support/test-app';

/** The users list: telegram id prefixes, and its orders (id, expiry, name; reversed), each paged. */
describe('the users list: search by telegram id prefix, sorted on the server', () => {
  let t: TestApp;
  let admin: { Authorization: string };
  const list = async (query: string) =>
    (await t.http().get(`/api/v1/users?${query}`).set(admin).expect(200)).body as {
      items: Array<{ id: number; telegramId: number; username: string | null; access: { expiresAt: string | null } }>;
      total: number;
      nextCursor: string | null;
    };

  beforeAll(async () => {
    t = await startTestApp();
    admin = { Authorization: `Bearer ${await t.adminToken()}` };
    // 30 users: telegram ids 5550..5579 and one 55501; names from 'u29' down; every third without expiry.
    await t.dataSource.query(
      `INSERT INTO vpn_users (telegram_id, uuid, subscription_token, username, expires_at)
       SELECT 5549 + g, gen_random_uuid(), md5(g::text) || md5((g + 7)::text), 'u' || lpad((30 - g)::text, 2, '0'),
              CASE WHEN g % 3 = 0 THEN NULL ELSE now() + g * interval '1 day' END
         FROM generate_series(1, 30) g`,
    );
    await t.dataSource.query(
      `INSERT INTO vpn_users (telegram_id, uuid, subscription_token) VALUES (55501, gen_random_uuid(), md5('x') || md5('y'))`,
    );
  });
  afterAll(() => t.close());

  it('finds telegram ids by their first digits, longer ones included', async () => {
    const found = await list('search=5550&limit=50');
    expect(found.items.map((user) => user.telegramId).sort()).toEqual([5550, 55501]);
    expect((await list('search=557&limit=50')).items.map((user) => user.telegramId)).toEqual(
      Array.from({ length: 10 }, (_, i) => 5570 + i),
    );
    expect((await list('search=0557&limit=50')).items).toEqual([]);
  });

  it('sorts by expiry (never last, first reversed) and by name, paging in that order', async () => {
    const byExpiry = [
      ...(await list('sort=expiresAt&limit=25')).items,
      ...(await list('sort=expiresAt&limit=25&page=2')).items,
    ];
    const expiries = byExpiry.map((user) => user.access.expiresAt);
    const dated = expiries.filter((at): at is string => at !== null);
    expect(dated).toEqual([...dated].sort());
    expect(expiries.slice(dated.length).every((at) => at === null)).toBe(true);
    expect((await list('sort=-expiresAt&limit=1')).items[0].access.expiresAt).toBeNull();

    const names = (await list('sort=name&limit=50')).items.map((user) => user.username);
    expect(names.slice(0, 3)).toEqual(['u00', 'u01', 'u02']);
    expect(names.at(-1)).toBeNull();
    expect((await list('sort=-name&limit=2')).items.map((user) => user.username)).toEqual([null, 'u29']);
    const newest = await list('sort=-id&limit=2');
    expect(newest.items[0].id).toBeGreaterThan(newest.items[1].id);
    expect(newest.nextCursor).toBeNull(); // keyset paging is by id only
  });

  it('refuses an unknown order, and after with any order but id', async () => {
    expect((await t.http().get('/api/v1/users?sort=usage').set(admin).expect(400)).body.message.join(' ')).toContain(
      'sort',
    );
    const refused = await t.http().get('/api/v1/users?sort=name&after=5').set(admin).expect(400);
    expect(refused.body.message.join(' ')).toContain('after');
  });
});
