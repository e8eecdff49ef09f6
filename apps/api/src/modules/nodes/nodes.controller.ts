import { Body, Controller, Get, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { NodeView } from '@fleet/contract';
import { actorOf, CurrentPrincipal, Principal } from '../auth/principal';
import { AllowRoles } from '../auth/roles.decorator';
import { ConnectionTestResult } from '../panels/panel-connection.service';
import { ConnectionTestDto, CreateNodeDto, NodeListQueryDto, NodeViewDto, UpdateNodeDto } from './dto/node.dto';
import { NodesService } from './nodes.service';
import { IdParam } from '../../common/http/id-param';

@ApiTags('nodes')
@ApiBearerAuth()
@Controller('nodes')
export class NodesController {
  constructor(private readonly nodes: NodesService) {}

  @Get()
  @AllowRoles('admin', 'viewer')
  @ApiOkResponse({
    type: [NodeViewDto],
    description: 'every node matching the filters, or one page of them with `limit`; X-Total-Count: how many match',
  })
  async list(@Query() query: NodeListQueryDto, @Res({ passthrough: true }) response: Response): Promise<NodeView[]> {
    const { items, total } = await this.nodes.list(query);
    response.setHeader('X-Total-Count', String(total));
    return items;
  }

  @Get(':id')
  @AllowRoles('admin', 'viewer')
  @ApiOkResponse({ type: NodeViewDto })
  @ApiNotFoundResponse()
  get(@IdParam() id: number): Promise<NodeView> {
    return this.nodes.get(id);
  }

  @Post()
  @ApiCreatedResponse({ type: NodeViewDto })
  @ApiConflictResponse({ description: 'a node with this name exists' })
  create(@Body() body: CreateNodeDto, @CurrentPrincipal() principal: Principal): Promise<NodeView> {
    return this.nodes.create(body, actorOf(principal));
  }

  @Patch(':id')
  @ApiOkResponse({ type: NodeViewDto })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'a node with this name exists' })
  update(
    @IdParam() id: number,
    @Body() body: UpdateNodeDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<NodeView> {
    return this.nodes.update(id, body, actorOf(principal));
  }

  @Post(':id/test-connection')
  @HttpCode(200)
  @ApiOkResponse({
    type: ConnectionTestDto,
    description: 'ok:false with a readable error when the panel cannot be used',
  })
  @ApiNotFoundResponse()
  testConnection(@IdParam() id: number): Promise<ConnectionTestResult> {
    return this.nodes.testConnection(id);
  }
}
