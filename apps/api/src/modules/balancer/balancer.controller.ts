import { Body, Controller, Get, Post, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { NodeLoadView, RebalancePlanView, RebalanceStarted } from '@fleet/contract';
import { actorOf, CurrentPrincipal, Principal } from '../auth/principal';
import { Requires } from '../../common/http/roles.decorator';
import { JobRunnerService } from '../jobs/job-runner.service';
import { JobsService } from '../jobs/jobs.service';
import { NodeLoadDto, RebalanceDto, RebalancePlanDto, RebalanceStartedDto } from './balancer.dto';
import { BalancerService } from './balancer.service';

@ApiTags('balancer')
@ApiBearerAuth()
@Controller('balancer')
export class BalancerController {
  constructor(
    private readonly balancer: BalancerService,
    private readonly jobs: JobsService,
    private readonly runner: JobRunnerService,
  ) {}

  @Get('loads')
  @Requires('nodes:read')
  @ApiOkResponse({ type: [NodeLoadDto] })
  loads(): Promise<NodeLoadView[]> {
    return this.balancer.loads();
  }

  /** dryRun: the plan (200). Otherwise a rebalance job (202 {jobId}). */
  @Post('rebalance')
  @Requires('nodes:write')
  @ApiOkResponse({ type: RebalancePlanDto, description: 'dryRun: the plan, with one page of its moves' })
  @ApiAcceptedResponse({ type: RebalanceStartedDto, description: 'a rebalance job carries every move' })
  async rebalance(
    @Body() body: RebalanceDto,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: Response,
  ): Promise<RebalancePlanView | RebalanceStarted> {
    if (body.dryRun) {
      response.status(200);
      return this.balancer.plan(body.maxMoves, { page: body.movesPage, limit: body.movesLimit });
    }
    const plan = await this.balancer.plan(body.maxMoves);
    const job = await this.jobs.create('rebalance', plan.moves, { actor: actorOf(principal) });
    this.runner.kick();
    response.status(202);
    return { jobId: job.id, moves: plan.moves.length };
  }
}
