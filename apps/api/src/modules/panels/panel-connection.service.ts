import { Injectable } from '@nestjs/common';
import type { ConnectionTest } from '@fleet/contract';
import { PanelError, XuiClient } from '@fleet/xui-client';
import type { PanelCredentials, PanelTarget } from './panel-target';
import { PanelPoolService } from './panel-pool.service';

const TEST_TIMEOUT_MS = 10_000;

@Injectable()
export class PanelConnectionService {
  constructor(private readonly pool: PanelPoolService) {}

  /** Logs in with a fresh session and lists the inbounds; failures are reported, not thrown. */
  test(node: PanelTarget): Promise<ConnectionTest> {
    return this.tryClient(this.pool.createClient(node, TEST_TIMEOUT_MS));
  }

  /** The same for a panel not saved as a node yet. */
  testUnsaved(panel: PanelCredentials): Promise<ConnectionTest> {
    return this.tryClient(this.pool.clientFor(panel, 'new node', TEST_TIMEOUT_MS));
  }

  private async tryClient(client: XuiClient): Promise<ConnectionTest> {
    const started = performance.now();
    try {
      await client.login();
      const inbounds = await client.listInbounds();
      return {
        ok: true,
        responseTimeMs: Math.round(performance.now() - started),
        inbounds: inbounds.map(({ id, protocol, port, remark, enable }) => ({ id, protocol, port, remark, enable })),
      };
    } catch (error) {
      const failed = { ok: false, responseTimeMs: Math.round(performance.now() - started), inbounds: [] };
      if (!(error instanceof PanelError)) return { ...failed, error: 'unexpected failure talking to the panel' };
      return {
        ...failed,
        error: `${error.kind}: ${error.message}`,
        ...(error.panelText ? { panelText: error.panelText } : {}),
      };
    } finally {
      client.close();
    }
  }
}
