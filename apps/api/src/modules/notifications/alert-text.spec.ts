import { EventType } from '@fleet/contract';
import { telegramHtmlProblem } from '@fleet/testing';
import { alertMessage, duration, escapeHtml, MAX_MESSAGE_LENGTH } from './alert-text';
import type { Alert } from './alerts';

const down = (node: string, reason: string | null = 'timeout'): Alert => ({ type: EventType.NodeDown, node, reason });
const up = (node: string): Alert => ({ type: EventType.NodeUp, node });

describe('alert messages', () => {
  it.each<[string, Alert[], string]>([
    ['one node down, with its reason', [down('ams-1', 'refused')], '🔴 Node <b>ams-1</b> is down: refused'],
    ['one node down, no reason', [down('ams-1', null)], '🔴 Node <b>ams-1</b> is down'],
    [
      'several nodes down: one list',
      [down('ams-1'), down('fra-2', 'refused')],
      '🔴 2 nodes are down:\n• <b>ams-1</b>: timeout\n• <b>fra-2</b>: refused',
    ],
    ['nodes up', [up('a'), up('b')], '🟢 2 nodes are up again: <b>a</b>, <b>b</b>'],
    [
      'a failover',
      [{ type: EventType.FailoverCompleted, node: 'ams-1', usersMoved: 500, usersFailed: 0, seconds: 12.4 }],
      '✅ Failover of node <b>ams-1</b> completed: 500 users moved in 12 s',
    ],
    [
      'a failover that left users behind, slowly',
      [{ type: EventType.FailoverCompleted, node: 'x', usersMoved: 1, usersFailed: 2, seconds: 600 }],
      '✅ Failover of node <b>x</b> completed: 1 user moved in 10 min, 2 could not be moved',
    ],
    [
      'a stalled failover',
      [{ type: EventType.FailoverStalled, node: 'x', waiting: 120 }],
      '⚠️ Failover of node <b>x</b> stalled: 120 users wait for a free seat in its group',
    ],
    [
      'a reconcile',
      [{ type: EventType.ReconcileCorrected, node: 'x', missing: 3, changed: 0, extra: 1, inbound: [], left: 0 }],
      '🔧 Reconcile corrected node <b>x</b>: 3 missing, 1 extra clients',
    ],
    [
      'a reconcile of the inbound, with work left',
      [{ type: EventType.ReconcileCorrected, node: 'x', missing: 0, changed: 0, extra: 0, inbound: ['port'], left: 4 }],
      '🔧 Reconcile corrected node <b>x</b>: inbound port; 4 left for the next reconcile',
    ],
    [
      'webhooks failing',
      [{ type: 'webhooks.failing', minutes: 12, waiting: 340, lastError: 'HTTP 500' }],
      '⚠️ Webhook delivery has been failing for 12 min: 340 webhooks waiting (last error: HTTP 500)',
    ],
    [
      'kinds in the order they first came',
      [up('a'), down('b'), up('c')],
      '🟢 2 nodes are up again: <b>a</b>, <b>c</b>\n\n🔴 Node <b>b</b> is down: timeout',
    ],
    [
      'the digest',
      [
        {
          type: 'digest',
          day: '2026-12-06',
          expiring: { hours: 72, count: 7, first: ['alice', '42'] },
          busyNodes: [{ node: 'ams-1', percent: 95 }],
        },
      ],
      '📋 <b>Daily digest</b>, 2026-12-06\nUsers whose plan ends within 72 h: 7 (alice, 42, …)\n' +
        'Nodes at 90 % load or more: <b>ams-1</b> 95 %',
    ],
    [
      'a quiet digest',
      [{ type: 'digest', day: '2026-12-06', expiring: { hours: 24, count: 0, first: [] }, busyNodes: [] }],
      '📋 <b>Daily digest</b>, 2026-12-06\nUsers whose plan ends within 24 h: none\nNodes at 90 % load or more: none',
    ],
  ])('%s', (_case, alerts, text) => {
    expect(alertMessage(alerts)).toBe(text);
    expect(telegramHtmlProblem(text)).toBeNull();
  });

  it('escapes what Telegram would read as markup, wherever it comes from', () => {
    const text = alertMessage([
      down('<b>edge</b> & co', 'bad <response> & more'),
      { type: 'webhooks.failing', minutes: 11, waiting: 1, lastError: 'connect <refused>' },
      { type: 'digest', day: 'd', expiring: { hours: 1, count: 1, first: ['<script>'] }, busyNodes: [] },
    ]);
    expect(text).toContain('<b>&lt;b&gt;edge&lt;/b&gt; &amp; co</b> is down: bad &lt;response&gt; &amp; more');
    expect(text).toContain('(last error: connect &lt;refused&gt;)');
    expect(text).toContain('1 (&lt;script&gt;)');
    expect(telegramHtmlProblem(text)).toBeNull();
    expect(escapeHtml('a&b<c>d')).toBe('a&amp;b&lt;c&gt;d');
  });

  it('counts what is too many to list, and never exceeds Telegram’s length, cutting whole lines', () => {
    const many = alertMessage(Array.from({ length: 40 }, (_, i) => down(`node-${i}`)));
    expect(many.split('\n')).toHaveLength(1 + 15 + 1);
    expect(many).toMatch(/\n… and 25 more$/);

    const long = 'x'.repeat(200);
    const huge = alertMessage(
      Array.from(
        { length: 15 },
        (_, i): Alert => ({ type: EventType.FailoverStalled, node: `${long}${i}`, waiting: i }),
      ).concat(
        Array.from(
          { length: 15 },
          (_, i): Alert => ({
            type: EventType.FailoverCompleted,
            node: `${long}${i}`,
            usersMoved: i,
            usersFailed: 0,
            seconds: 1,
          }),
        ),
        Array.from({ length: 15 }, (_, i): Alert => down(`${long}${i}`, '<&>'.repeat(20))),
      ),
    );
    expect(huge.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
    expect(huge).toMatch(/\n… \d+ more lines$/);
    expect(telegramHtmlProblem(huge)).toBeNull();
  });

  it.each([
    [0.4, '0 s'],
    [89, '89 s'],
    [90, '2 min'],
    [89 * 60, '89 min'],
    [125 * 60, '2 h 5 min'],
  ])('duration of %s s: %s', (seconds, text) => {
    expect(duration(seconds)).toBe(text);
  });
});
