import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';

export class RebalanceDto {
  @ApiProperty({ description: 'true: return the plan only; false: start a job' })
  @IsBoolean()
  dryRun: boolean;

  @ApiPropertyOptional({ minimum: 0, maximum: 1_000_000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  maxMoves?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 100_000, default: 1, description: 'dry run: the page of moves' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  movesPage = 1;

  @ApiPropertyOptional({ minimum: 1, maximum: 10_000, default: 1000, description: 'dry run: moves per page' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  movesLimit = 1000;
}
