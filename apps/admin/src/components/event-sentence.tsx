import { Anchor } from '@mantine/core';
import type { EventView } from '@fleet/contract';
import { Fragment, ReactNode } from 'react';
import { Link } from 'react-router';

type Payload = Record<string, unknown>;
const n = (value: unknown) => (typeof value === 'number' ? value : Number(value ?? 0));

/** What each event says, in words; the node and user it names become links beside it. */
const SENTENCES: Record<string, (payload: Payload) => string> = {
  'node.created': () => 'Node added',
  'node.updated': () => 'Node changed',
  'node.deleted': () => 'Node deleted',
  'node.down': (p) => `Node went down${p['reason'] ? ` (${String(p['reason'])})` : ''}`,
  'node.up': () => 'Node is back up',
  'node.checked': () => 'Node checked',
  'group.created': (p) => `Group ${String(p['name'] ?? '')} created`,
  'group.updated': (p) => `Group ${String(p['name'] ?? '')} changed`,
  'group.deleted': (p) => `Group ${String(p['name'] ?? '')} deleted`,
  'auth.login_failed': () => 'A sign-in failed',
  'auth.login_succeeded': () => 'Signed in',
  'auth.logged_out_everywhere': () => 'Signed out everywhere',
  'auth.password_changed': () => 'Password changed',
  'token.created': () => 'API token created',
  'token.deleted': () => 'API token deleted',
  'user.created': () => 'User created',
  'user.migrated': (p) =>
    `User moved (${String(p['reason'] ?? 'move')}) from node ${p['fromNodeId']} to node ${p['toNodeId']}`,
  'user.enabled': () => 'User enabled',
  'user.disabled': () => 'User disabled',
  'user.expired': () => 'User’s plan ended',
  'user.limited': () => 'User reached the traffic limit',
  'user.access_changed': () => 'User’s plan changed',
  'user.extended': () => 'User’s plan extended',
  'user.expiring': () => 'User’s plan ends soon',
  'user.first_connected': () => 'User connected for the first time',
  'user.traffic_reset': () => 'User’s traffic reset',
  'user.rotated': () => 'User’s key rotated',
  'user.device_added': (p) => `New device${p['hwid'] ? ` ${String(p['hwid'])}` : ''} for the user`,
  'user.deleted': () => 'User deleted',
  'users.adopted': (p) => `${n(p['imported'])} client(s) adopted as users`,
  'job.started': (p) => `${String(p['kind'] ?? 'Job')} #${p['jobId']} started`,
  'job.finished': (p) =>
    `${String(p['kind'] ?? 'Job')} #${p['jobId']} ${String(p['status'] ?? 'finished')}: ${n(p['done'])} moved, ${n(p['failed'])} failed`,
  'placement.failed': () => 'No node could take a user',
  'failover.completed': (p) => `Failover #${p['jobId']} done: ${n(p['usersMoved'])} user(s) moved`,
  'failover.stalled': (p) => `Failover #${p['jobId']} stalled: ${n(p['waiting'])} user(s) wait for a free seat`,
  'reconcile.corrected': () => 'Panel brought in line with the database',
};

/** The event as a sentence, with links to its node and user. */
export function EventSentence({ event, nodeName }: { event: EventView; nodeName: (id: number) => string }) {
  const words = SENTENCES[event.type]?.(event.payload) ?? event.type.replace(/[._]/g, ' ');
  const links: ReactNode[] = [];
  if (event.nodeId !== null) {
    links.push(
      <Anchor key="node" component={Link} to={`/nodes/${event.nodeId}`}>
        {nodeName(event.nodeId)}
      </Anchor>,
    );
  }
  if (event.userId !== null) {
    links.push(
      <Anchor key="user" component={Link} to={`/users/${event.userId}`}>
        user {event.userId}
      </Anchor>,
    );
  }
  return (
    <span>
      {words}
      {links.length > 0 && ': '}
      {links.map((link, i) => (
        <Fragment key={i}>
          {i > 0 && ', '}
          {link}
        </Fragment>
      ))}
    </span>
  );
}
