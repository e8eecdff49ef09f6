import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { XuiClient } from '@fleet/xui-client';
import { Semaphore } from '../../common/batching/semaphore';
import { SecretBox } from '../../common/crypto/secret-box';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import type { PanelCredentials, PanelTarget } from './panel-target';
import { PanelWriteLock } from './panel-write-lock';

/** At most this many calls in flight to one panel, so a burst cannot flood one server. */
const MAX_IN_FLIGHT_PER_PANEL = 4;

interface PoolEntry {
  client: XuiClient;
  fingerprint: string;
  slots: Semaphore;
}

/**
 * One 3x-ui client per node, built lazily from decrypted credentials and rebuilt when they change. Every client's
 * writes hold its panel's write lock, so no two writes to one panel overlap, whichever replica sends them.
 */
@Injectable()
export class PanelPoolService implements OnModuleDestroy {
  private readonly entries = new Map<number, PoolEntry>();

  constructor(
    private readonly secrets: SecretBox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly writeLock: PanelWriteLock,
  ) {}

  /** Runs `work` with the node's client, within the node's in-flight limit. */
  async run<T>(node: PanelTarget, work: (client: XuiClient) => Promise<T>): Promise<T> {
    const entry = this.entryFor(node);
    return entry.slots.run(() => work(entry.client));
  }

  /** A client outside the pool, for one-off checks that must not reuse a session (test-connection). */
  createClient(node: PanelTarget, timeoutMs?: number): XuiClient {
    return this.clientFor(
      {
        panelUrl: node.panelUrl,
        panelUsername: node.panelUsername,
        panelPassword: this.secrets.decrypt(node.panelPasswordEncrypted),
        panelApiToken: node.panelApiTokenEncrypted ? this.secrets.decrypt(node.panelApiTokenEncrypted) : null,
        tlsVerify: node.tlsVerify,
      },
      node.name,
      timeoutMs,
    );
  }

  /** A client for a panel given in the clear, outside the pool (a node's or one not saved yet). */
  clientFor(panel: PanelCredentials, name: string, timeoutMs?: number): XuiClient {
    return new XuiClient({
      baseUrl: panel.panelUrl,
      username: panel.panelUsername,
      password: panel.panelPassword,
      apiToken: panel.panelApiToken ?? null,
      tlsVerify: panel.tlsVerify ?? true,
      timeoutMs: timeoutMs ?? this.config.panelTimeoutMs,
      name,
      writeLock: (work) => this.writeLock.run(panel.panelUrl, work),
    });
  }

  release(nodeId: number): void {
    this.entries.get(nodeId)?.client.close();
    this.entries.delete(nodeId);
  }

  onModuleDestroy(): void {
    for (const id of [...this.entries.keys()]) this.release(id);
  }

  private entryFor(node: PanelTarget): PoolEntry {
    const fingerprint = createHash('sha256')
      .update(
        [
          node.panelUrl,
          node.panelUsername,
          node.panelPasswordEncrypted,
          node.panelApiTokenEncrypted ?? '',
          node.tlsVerify,
          node.name,
        ].join('\n'),
      )
      .digest('hex');
    const existing = this.entries.get(node.id);
    if (existing?.fingerprint === fingerprint) return existing;
    existing?.client.close();
    const entry = { client: this.createClient(node), fingerprint, slots: new Semaphore(MAX_IN_FLIGHT_PER_PANEL) };
    this.entries.set(node.id, entry);
    return entry;
  }
}
