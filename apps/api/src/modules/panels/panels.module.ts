import { Module } from '@nestjs/common';
import { PanelConnectionService } from './panel-connection.service';
import { PanelPoolService } from './panel-pool.service';

@Module({
  providers: [PanelPoolService, PanelConnectionService],
  exports: [PanelPoolService, PanelConnectionService],
})
export class PanelsModule {}
