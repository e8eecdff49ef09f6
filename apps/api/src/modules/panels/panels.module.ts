import { Module } from '@nestjs/common';
import { PanelConnectionService } from './panel-connection.service';
import { PanelPoolService } from './panel-pool.service';
import { PanelWriteLock } from './panel-write-lock';
import { PanelWriterService } from './panel-writer.service';
import { RecentInbounds } from './recent-inbounds';

@Module({
  providers: [PanelWriteLock, PanelPoolService, PanelConnectionService, PanelWriterService, RecentInbounds],
  exports: [PanelPoolService, PanelConnectionService, PanelWriterService, RecentInbounds],
})
export class PanelsModule {}
