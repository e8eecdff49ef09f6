import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsInt, Max, Min } from 'class-validator';
import type { BulkItemResult, BulkResult } from '@fleet/contract';
import { INT4_MAX } from '../../common/http/strict-input';

/** Users one bulk request may name: a page of the users table, selected. */
export const BULK_MAX_USERS = 500;

export class BulkUsersDto {
  @ApiProperty({
    type: [Number],
    minItems: 1,
    maxItems: BULK_MAX_USERS,
    uniqueItems: true,
    description: 'user ids, each acted on in turn',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(BULK_MAX_USERS)
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(INT4_MAX, { each: true })
  ids: number[];
}

export class BulkExtendDto extends BulkUsersDto {
  @ApiProperty({ minimum: 1, maximum: 3650 })
  @IsInt()
  @Min(1)
  @Max(3650)
  days: number;
}

export class BulkAccessDto extends BulkUsersDto {
  @ApiProperty({ description: 'false: the users are disabled (their clients stop on every node); true: enabled' })
  @IsBoolean()
  enabled: boolean;
}

export class BulkMigrateDto extends BulkUsersDto {
  @ApiProperty({ minimum: 1, maximum: INT4_MAX, description: 'the node each user’s server in its group moves to' })
  @IsInt()
  @Min(1)
  @Max(INT4_MAX)
  nodeId: number;
}

export class BulkItemResultDto implements BulkItemResult {
  @ApiProperty() id: number;
  @ApiProperty() ok: boolean;
  @ApiPropertyOptional({ description: 'why it was refused: the error code the single-user route answers' })
  code?: string;
  @ApiPropertyOptional() message?: string;
}

export class BulkResultDto implements BulkResult {
  @ApiProperty({ description: 'users acted on' }) done: number;
  @ApiProperty({ description: 'users refused (see their `code`)' }) failed: number;
  @ApiProperty({ type: [BulkItemResultDto], description: 'one per id, in the order asked' })
  results: BulkItemResultDto[];
}
