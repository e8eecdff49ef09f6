import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { EventView, Page } from '@fleet/contract';
import { Requires } from '../../common/http/roles.decorator';
import { EventPageDto, EventQueryDto } from './events.dto';
import { EventsService } from './events.service';

@ApiTags('events')
@ApiBearerAuth()
@Controller('events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get()
  @Requires('events:read')
  @ApiOkResponse({ type: EventPageDto })
  list(@Query() query: EventQueryDto): Promise<Page<EventView>> {
    return this.events.list(query);
  }
}
