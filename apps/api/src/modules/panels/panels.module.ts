import { Module } from '@nestjs/common';
import { PanelConnectionService } from './panel-connection.service';
import { PanelPoolService } from './panel-pool.service';
import { PanelWriterService } from './panel-writer.service';

@Module({
  providers: [PanelPoolService, PanelConnectionService, PanelWriterService],
  exports: [PanelPoolService, PanelConnectionService, PanelWriterService],
})
export class PanelsModule {}
