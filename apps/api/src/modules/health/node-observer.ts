import { Inject, Injectable } from '@nestjs/common';
import {
  Inbound,
  PanelError,
  panelExcerpt,
  parseServerStatus,
  ServerFigures,
  XuiClient,
  xrayErrorMessage,
} from '@fleet/xui-client';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { InboundSnapshot, NodeEntity } from '../nodes/node.entity';
import { inboundSnapshot, inboundUnfit, SUPPORTED_PROTOCOLS } from '../nodes/inbound-snapshot';
import { PanelPoolService } from '../panels/panel-pool.service';
import { probeHttp, withinTimeout } from './reachability';

/** What one check saw of a node. */
export interface Observation {
  ok: boolean;
  error: string | null;
  detail: string | null;
  responseTimeMs: number;
  snapshot: InboundSnapshot | null;
  /** What the panel's `server/status` said of its server (null: not read). */
  figures: ServerFigures | null;
  onlineClients: number | null;
  /** A node without an inbound whose panel has exactly one usable inbound takes it. */
  chosenInbound: number | null;
}

/**
 * Looks at one node, progressively: a quick HTTP probe first (short timeout); only when it answers, the panel (session,
 * `server/status` with xray running, the node's inbound, which is cached for share links), all within
 * HEALTH_TIMEOUT_MS.
 */
@Injectable()
export class NodeObserver {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly pool: PanelPoolService,
  ) {}

  async observe(node: NodeEntity): Promise<Observation> {
    const timeout = this.config.healthTimeoutMs;
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const failed = (error: string, detail: string | null = null): Observation => ({
      ok: false,
      error,
      detail,
      responseTimeMs: elapsed(),
      snapshot: node.inboundSnapshot,
      figures: null,
      onlineClients: null,
      chosenInbound: null,
    });
    const unreachable = await probeHttp(node.panelUrl, Math.min(1000, Math.ceil(timeout / 4)), node.tlsVerify);
    if (unreachable) return failed(unreachable.reason, `unreachable: ${unreachable.detail}`);
    try {
      const detail = await withinTimeout(
        this.pool.run(node, async (panel) => {
          const status = await panel.serverStatus(timeout);
          const figures = parseServerStatus(status);
          const xrayError = xrayErrorMessage(status);
          if (figures.xray.state !== 'running')
            return { figures, xrayError, snapshot: null, online: null, chosen: null, unfit: null };
          const chosen = node.inboundId === null ? await onlyUsableInbound(panel) : null;
          const inboundId = node.inboundId ?? chosen?.id ?? null;
          const inbound = chosen ?? (inboundId === null ? null : await panel.getInbound(inboundId));
          const unfit = inbound && inboundUnfit(inbound);
          if (unfit) return { figures, xrayError, snapshot: null, online: null, chosen: null, unfit };
          const snapshot = inbound && inboundSnapshot(inbound);
          const online = await panel.onlineEmails().then(
            (emails) => emails.length,
            () => null,
          );
          return { figures, xrayError, snapshot, online, chosen: chosen?.id ?? null, unfit: null };
        }),
        timeout,
      );
      const { state } = detail.figures.xray;
      if (state !== 'running') {
        const error = state === null ? 'xray state not reported' : `xray is ${state}`;
        const said = detail.xrayError ? panelExcerpt(detail.xrayError) : 'no message';
        return { ...failed(error, `${error}: ${said}`), figures: detail.figures };
      }
      // An inbound that cannot serve our users fails the check: the node stops taking users, and its users are
      // moved like any failed node's.
      if (detail.unfit)
        return { ...failed(`inbound ${node.inboundId}: ${detail.unfit.reason}`), figures: detail.figures };
      return {
        ok: true,
        error: null,
        detail: null,
        responseTimeMs: elapsed(),
        snapshot: detail.snapshot ?? node.inboundSnapshot,
        figures: detail.figures,
        onlineClients: detail.online,
        chosenInbound: detail.chosen,
      };
    } catch (error) {
      if (!(error instanceof PanelError)) return failed('timeout', `unreachable: ${(error as Error).message}`);
      const said = error.panelText ? `; the panel said: ${error.panelText}` : '';
      return failed(error.reason, `${error.kind}: ${error.message}${said}`);
    }
  }
}

/** The panel's one enabled inbound of a protocol we can serve, when there is exactly one. */
async function onlyUsableInbound(panel: XuiClient): Promise<Inbound | null> {
  const usable = (await panel.listInbounds()).filter(
    (inbound) => inbound.enable && SUPPORTED_PROTOCOLS.includes(inbound.protocol),
  );
  return usable.length === 1 ? usable[0] : null;
}
