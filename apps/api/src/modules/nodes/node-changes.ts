import { Injectable } from '@nestjs/common';
import { NodeEntity } from './node.entity';

type Listener = (node: NodeEntity, panelChanged: boolean) => void;

/** Tells other modules that a node was created or changed (health checks a new panel at once). */
@Injectable()
export class NodeChanges {
  private readonly listeners: Listener[] = [];

  onSaved(listener: Listener): void {
    this.listeners.push(listener);
  }

  saved(node: NodeEntity, panelChanged: boolean): void {
    for (const listener of this.listeners) listener(node, panelChanged);
  }
}
