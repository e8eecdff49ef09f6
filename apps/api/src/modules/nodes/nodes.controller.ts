import { Body, Controller, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ConnectionTest, ErrorCode, NodeView, Page } from '@fleet/contract';
import { actorOf, CurrentPrincipal, Principal } from '../auth/principal';
import { Requires } from '../../common/http/roles.decorator';
import {
  ConnectionTestDto,
  CreateNodeDto,
  NodeListQueryDto,
  NodePageDto,
  NodeViewDto,
  TestPanelDto,
  UpdateNodeDto,
} from './dto/node.dto';
import { NodesService } from './nodes.service';
import { IdParam } from '../../common/http/id-param';
import { ApiErrors } from '../../common/http/openapi';

@ApiTags('nodes')
@ApiBearerAuth()
@Controller('nodes')
export class NodesController {
  constructor(private readonly nodes: NodesService) {}

  @Get()
  @Requires('nodes:read')
  @ApiOkResponse({
    type: NodePageDto,
    description: 'every node matching the filters, or one page of them with `limit` (`total`: how many match)',
  })
  list(@Query() query: NodeListQueryDto): Promise<Page<NodeView>> {
    return this.nodes.list(query);
  }

  @Get(':id')
  @Requires('nodes:read')
  @ApiOkResponse({ type: NodeViewDto })
  get(@IdParam() id: number): Promise<NodeView> {
    return this.nodes.get(id);
  }

  @Post()
  @Requires('nodes:write')
  @ApiCreatedResponse({ type: NodeViewDto })
  @ApiErrors(ErrorCode.NodeNameTaken, ErrorCode.GroupNotFound)
  create(@Body() body: CreateNodeDto, @CurrentPrincipal() principal: Principal): Promise<NodeView> {
    return this.nodes.create(body, actorOf(principal));
  }

  @Patch(':id')
  @Requires('nodes:write')
  @ApiOkResponse({ type: NodeViewDto })
  @ApiErrors(ErrorCode.NodeNameTaken, ErrorCode.GroupNotFound, ErrorCode.MoveInProgress, ErrorCode.NodeHasUsers)
  update(
    @IdParam() id: number,
    @Body() body: UpdateNodeDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<NodeView> {
    return this.nodes.update(id, body, actorOf(principal));
  }

  @Post('test-connection')
  @Requires('nodes:write')
  @HttpCode(200)
  @ApiOkResponse({
    type: ConnectionTestDto,
    description:
      'a panel tried before it is saved (nothing stored): ok:false with a readable error when it cannot be used',
  })
  testPanel(@Body() body: TestPanelDto): Promise<ConnectionTest> {
    return this.nodes.testPanel(body);
  }

  @Post(':id/test-connection')
  @Requires('nodes:write')
  @HttpCode(200)
  @ApiOkResponse({
    type: ConnectionTestDto,
    description: 'ok:false with a readable error when the panel cannot be used',
  })
  testConnection(@IdParam() id: number): Promise<ConnectionTest> {
    return this.nodes.testConnection(id);
  }
}
