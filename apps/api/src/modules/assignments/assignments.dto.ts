import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { INT4_MAX } from '../../common/http/strict-input';

export class MigrateUserDto {
  @ApiProperty({ minimum: 1, maximum: INT4_MAX })
  @IsInt()
  @Min(1)
  @Max(INT4_MAX)
  nodeId: number;
}

export class AdoptionResultDto {
  @ApiProperty({ description: 'clients that became users of the node' }) imported: number;
  @ApiProperty({ description: 'clients already known (ours, or adopted before)' }) skipped: number;
}
