import { EventType } from '@fleet/contract';
import type { Alert, AlertType } from './alerts';
import { groupBy } from '../../common/collections/group-by';

/** Telegram's limit on a message's text. */
export const MAX_MESSAGE_LENGTH = 4096;
/** Items of one kind listed in a message; the rest are counted. */
const MAX_LISTED = 15;

type Of<T extends AlertType> = Extract<Alert, { type: T }>;

/** For Telegram's HTML parse mode: the three characters it reads as markup. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const bold = (text: string) => `<b>${escapeHtml(text)}</b>`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** `12 s`, `4 min`, `2 h 5 min`. */
export function duration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Up to MAX_LISTED items, then how many more. */
function listed(items: string[], separator: string): string {
  const shown = items.slice(0, MAX_LISTED).join(separator);
  return items.length > MAX_LISTED ? `${shown}${separator}… and ${items.length - MAX_LISTED} more` : shown;
}

/** One line for one alert; under a heading and bulleted for several. */
function section<T extends AlertType>(
  alerts: Array<Of<T>>,
  one: (alert: Of<T>) => string,
  heading: (count: number) => string,
  item: (alert: Of<T>) => string,
): string {
  if (alerts.length === 1) return one(alerts[0]);
  return `${heading(alerts.length)}\n${listed(
    alerts.map((alert) => `• ${item(alert)}`),
    '\n',
  )}`;
}

const moved = (alert: Of<typeof EventType.FailoverCompleted>) =>
  `${plural(alert.usersMoved, 'user')} moved in ${duration(alert.seconds)}` +
  (alert.usersFailed ? `, ${alert.usersFailed} could not be moved` : '');

const corrections = (alert: Of<typeof EventType.ReconcileCorrected>) => {
  const counts = [
    alert.missing ? `${alert.missing} missing` : null,
    alert.changed ? `${alert.changed} changed` : null,
    alert.extra ? `${alert.extra} extra` : null,
  ].filter((part): part is string => part !== null);
  const total = alert.missing + alert.changed + alert.extra;
  const clients = counts.length ? `${counts.join(', ')} ${total === 1 ? 'client' : 'clients'}` : null;
  const inbound = alert.inbound.length ? `inbound ${escapeHtml(alert.inbound.join(', '))}` : null;
  const left = alert.left ? `${alert.left} left for the next reconcile` : null;
  return [clients, inbound, left].filter(Boolean).join('; ');
};

const SECTIONS: { [T in AlertType]: (alerts: Array<Of<T>>) => string } = {
  [EventType.NodeDown]: (alerts) =>
    section(
      alerts,
      (a) => `🔴 Node ${bold(a.node)} is down${a.reason ? `: ${escapeHtml(a.reason)}` : ''}`,
      (n) => `🔴 ${n} nodes are down:`,
      (a) => `${bold(a.node)}${a.reason ? `: ${escapeHtml(a.reason)}` : ''}`,
    ),
  [EventType.NodeUp]: (alerts) =>
    alerts.length === 1
      ? `🟢 Node ${bold(alerts[0].node)} is up again`
      : `🟢 ${alerts.length} nodes are up again: ${listed(
          alerts.map((a) => bold(a.node)),
          ', ',
        )}`,
  [EventType.FailoverCompleted]: (alerts) =>
    section(
      alerts,
      (a) => `✅ Failover of node ${bold(a.node)} completed: ${moved(a)}`,
      (n) => `✅ ${n} failovers completed:`,
      (a) => `${bold(a.node)}: ${moved(a)}`,
    ),
  [EventType.FailoverStalled]: (alerts) =>
    section(
      alerts,
      (a) =>
        `⚠️ Failover of node ${bold(a.node)} stalled: ${plural(a.waiting, 'user waits', 'users wait')} ` +
        'for a free seat in its group',
      (n) => `⚠️ ${n} failovers stalled, waiting for free seats in their groups:`,
      (a) => `${bold(a.node)}: ${plural(a.waiting, 'user')} waiting`,
    ),
  [EventType.ReconcileCorrected]: (alerts) =>
    section(
      alerts,
      (a) => `🔧 Reconcile corrected node ${bold(a.node)}: ${corrections(a)}`,
      (n) => `🔧 Reconcile corrected ${n} nodes:`,
      (a) => `${bold(a.node)}: ${corrections(a)}`,
    ),
  'webhooks.failing': (alerts) =>
    alerts
      .map(
        (a) =>
          `⚠️ Webhook delivery has been failing for ${duration(a.minutes * 60)}: ` +
          `${plural(a.waiting, 'webhook')} waiting${a.lastError ? ` (last error: ${escapeHtml(a.lastError)})` : ''}`,
      )
      .join('\n'),
  'webhooks.recovered': () => '✅ Webhook delivery works again',
  digest: (alerts) => alerts.map(digest).join('\n\n'),
};

function digest(alert: Of<'digest'>): string {
  const { hours, count, first } = alert.expiring;
  const names = first.map(escapeHtml).join(', ') + (count > first.length ? ', …' : '');
  const expiring = count ? `${count} (${names})` : 'none';
  const busy = alert.busyNodes.length
    ? listed(
        alert.busyNodes.map((node) => `${bold(node.node)} ${node.percent} %`),
        ', ',
      )
    : 'none';
  return [
    `📋 <b>Daily digest</b>, ${escapeHtml(alert.day)}`,
    `Users whose plan ends within ${hours} h: ${expiring}`,
    `Nodes at 90 % load or more: ${busy}`,
  ].join('\n');
}

/**
 * One message (Telegram HTML) for every alert a chat has waiting: alike alerts together, kinds in the order they
 * first came, long lists counted rather than listed, never longer than Telegram takes (whole lines are cut, so no
 * markup is ever cut in half).
 */
export function alertMessage(alerts: Alert[]): string {
  const byType = groupBy(alerts, (alert) => alert.type);
  const text = [...byType].map(([type, list]) => (SECTIONS[type] as (alerts: Alert[]) => string)(list)).join('\n\n');
  return withinLimit(text);
}

function withinLimit(text: string): string {
  if (text.length <= MAX_MESSAGE_LENGTH) return text;
  const lines = text.split('\n');
  const kept: string[] = [];
  let length = 0;
  const room = MAX_MESSAGE_LENGTH - 40;
  for (const line of lines) {
    if (length + line.length + 1 > room) break;
    kept.push(line);
    length += line.length + 1;
  }
  return `${kept.join('\n')}\n… ${lines.length - kept.length} more lines`;
}
