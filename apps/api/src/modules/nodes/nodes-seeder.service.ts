import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventType } from '@fleet/contract';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { LockKey, withAdvisoryLock } from '../../common/database/advisory-lock';
import { EventsService } from '../events/events.service';
import { loadNodesConfig } from './nodes-config.loader';
import { NodesRepository } from './nodes.repository';
import { NodesService } from './nodes.service';

/** Upserts the nodes of NODES_CONFIG by name at start-up; one replica at a time. */
@Injectable()
export class NodesSeederService implements OnApplicationBootstrap {
  private readonly logger = new Logger(NodesSeederService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly nodesService: NodesService,
    private readonly nodes: NodesRepository,
    private readonly events: EventsService,
    private readonly dataSource: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const path = this.config.nodesConfigPath;
    if (!path) return;
    const bodies = loadNodesConfig(path);
    const actor = 'config:NODES_CONFIG';
    await withAdvisoryLock(this.dataSource, LockKey.Bootstrap, () =>
      this.dataSource.transaction(async (manager) => {
        for (const body of bodies) {
          const existing = await this.nodes.findByName(body.name, manager);
          const node = existing ?? this.nodesService.newNode();
          const changed = this.nodesService.apply(node, body);
          if (await this.nodesService.placeInGroup(node, body.groupId, manager)) changed.push('groupId');
          if (changed.length === 0) continue;
          const saved = await this.nodes.save(node, manager);
          const type = existing ? EventType.NodeUpdated : EventType.NodeCreated;
          await this.events.record({ type, actor, nodeId: saved.id, payload: { name: saved.name, changed } }, manager);
        }
      }),
    );
    this.logger.log(`applied ${bodies.length} node(s) from ${path}`);
  }
}
