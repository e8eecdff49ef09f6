import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { JobView, Page } from '@fleet/contract';
import { IdParam } from '../../common/http/id-param';
import { Requires } from '../../common/http/roles.decorator';
import { IdKeysetQueryDto } from '../events/events.dto';
import { JobPageDto, JobViewDto } from './jobs.dto';
import { JobsService } from './jobs.service';

@ApiTags('jobs')
@ApiBearerAuth()
@Controller('jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Get()
  @Requires('nodes:read')
  @ApiOkResponse({ type: JobPageDto })
  list(@Query() query: IdKeysetQueryDto): Promise<Page<JobView>> {
    return this.jobs.list(query);
  }

  @Get(':id')
  @Requires('nodes:read')
  @ApiOkResponse({ type: JobViewDto })
  get(@IdParam() id: number): Promise<JobView> {
    return this.jobs.get(id);
  }
}
