import { Controller, HttpCode, Param, ParseIntPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '@fleet/contract';
import { DomainError } from '../../common/errors/domain-error';
import { NodesRepository } from '../nodes/nodes.repository';
import { CheckOutcome, NodeCheckService } from './node-check.service';

@ApiTags('health')
@ApiBearerAuth()
@Controller('nodes')
export class HealthController {
  constructor(
    private readonly checks: NodeCheckService,
    private readonly nodes: NodesRepository,
  ) {}

  @Post('check-health')
  @HttpCode(200)
  async checkAll(): Promise<Array<CheckOutcome & { nodeId: number }>> {
    const all = await this.nodes.findAll();
    return Promise.all(all.map(async (node) => ({ nodeId: node.id, ...(await this.checks.check(node)) })));
  }

  @Post(':id/check-health')
  @HttpCode(200)
  async checkOne(@Param('id', ParseIntPipe) id: number): Promise<CheckOutcome> {
    const outcome = await this.checks.checkById(id);
    if (!outcome) throw new DomainError(ErrorCode.NodeNotFound, `node ${id} not found`);
    return outcome;
  }
}
