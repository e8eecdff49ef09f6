import { Body, Controller, Delete, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { JobView, NodeLoadView, Page, RebalancePlanView, UserView } from '@fleet/contract';
import { actorOf, CurrentPrincipal, Principal } from '../auth/principal';
import { AllowRoles } from '../auth/roles.decorator';
import { BalancerService } from '../balancer/balancer.service';
import { PageQueryDto } from '../events/events.dto';
import { AdoptionService } from './adoption.service';
import { JobRunnerService } from './job-runner.service';
import { JobsService } from './jobs.service';
import { MigrateUserDto, RebalanceDto, UserQueryDto } from './migrations.dto';
import { NodeRemovalService } from './node-removal.service';
import { UsersService } from './users.service';
import { IdParam } from '../../common/http/id-param';

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
  @AllowRoles('admin', 'viewer')
  loads(): Promise<NodeLoadView[]> {
    return this.balancer.loads();
  }

  /** dryRun: the plan (200). Otherwise a rebalance job (202 {jobId}). */
  @Post('rebalance')
  async rebalance(
    @Body() body: RebalanceDto,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: Response,
  ): Promise<RebalancePlanView | { jobId: number; moves: number }> {
    const plan = await this.balancer.plan(body.maxMoves);
    if (body.dryRun) {
      response.status(200);
      return plan;
    }
    const job = await this.jobs.create('rebalance', plan.moves, { actor: actorOf(principal) });
    this.runner.kick();
    response.status(202);
    return { jobId: job.id, moves: plan.moves.length };
  }
}

@ApiTags('jobs')
@ApiBearerAuth()
@AllowRoles('admin', 'viewer')
@Controller('jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Get()
  list(@Query() query: PageQueryDto): Promise<Page<JobView>> {
    return this.jobs.list(query.page, query.limit);
  }

  @Get(':id')
  get(@IdParam() id: number): Promise<JobView> {
    return this.jobs.get(id);
  }
}

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @AllowRoles('admin', 'viewer')
  list(@Query() query: UserQueryDto, @CurrentPrincipal() principal: Principal): Promise<Page<UserView>> {
    return this.users.list(query, principal.role);
  }

  @Get(':id')
  @AllowRoles('admin', 'viewer')
  get(@IdParam() id: number, @CurrentPrincipal() principal: Principal): Promise<UserView> {
    return this.users.get(id, principal.role);
  }

  @Post(':id/migrate')
  @HttpCode(200)
  migrate(
    @IdParam() id: number,
    @Body() body: MigrateUserDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<UserView> {
    return this.users.migrate(id, body.nodeId, actorOf(principal));
  }
}

/** Node operations that move users: deletion (after moving them), adoption of a panel's clients, the node's users. */
@ApiTags('nodes')
@ApiBearerAuth()
@Controller('nodes/:id')
export class NodeOperationsController {
  constructor(
    private readonly removal: NodeRemovalService,
    private readonly adoption: AdoptionService,
    private readonly users: UsersService,
  ) {}

  /** 204 when the node had no users; 202 {jobId} while its users are moved (the job deletes it); 409 if they cannot be. */
  @Delete()
  async remove(
    @IdParam() id: number,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: Response,
  ): Promise<{ jobId: number } | void> {
    const job = await this.removal.remove(id, actorOf(principal));
    response.status(job ? 202 : 204);
    return job ?? undefined;
  }

  /** Maintenance plus a `drain` job that moves the node's users away (202 {jobId}; 200 {jobId: null} when empty). */
  @Post('drain')
  async drain(
    @IdParam() id: number,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: Response,
  ): Promise<{ jobId: number | null }> {
    const result = await this.removal.drain(id, actorOf(principal));
    response.status(result.jobId === null ? 200 : 202);
    return result;
  }

  @Post('adopt')
  @HttpCode(200)
  adopt(@IdParam() id: number, @CurrentPrincipal() principal: Principal) {
    return this.adoption.adopt(id, actorOf(principal));
  }

  @Get('users')
  @AllowRoles('admin', 'viewer')
  nodeUsers(
    @IdParam() id: number,
    @Query() query: PageQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<UserView>> {
    return this.users.list({ nodeId: id, page: query.page, limit: query.limit }, principal.role);
  }
}
