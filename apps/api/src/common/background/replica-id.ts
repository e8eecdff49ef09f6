import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * This process among the replicas sharing the database: host, process id and a random tag (a later process with the
 * same id on the same host is another replica). Jobs name their lease owner by it.
 */
export const REPLICA_ID = `${hostname().slice(0, 40)}:${process.pid}:${randomBytes(3).toString('hex')}`;
