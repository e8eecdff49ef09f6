import type { Type } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { Page } from '@fleet/contract';

/** The documented body of a page of `item`s (`Page<T>`): extend it as `class XPageDto extends PageOf(XDto) {}`. */
export function PageOf<T>(item: Type<T>): Type<Page<T>> {
  class PageDto implements Page<T> {
    @ApiProperty({ type: [item] }) items: T[];
    @ApiProperty() total: number;
    @ApiProperty() page: number;
    @ApiProperty() limit: number;
    @ApiPropertyOptional({ description: 'true when `total` is an estimate (past what is counted exactly)' })
    totalEstimated?: boolean;
    @ApiPropertyOptional({
      type: String,
      nullable: true,
      description: 'pass as ?after= for the next page (by key); null on the last page',
    })
    nextCursor?: string | null;
  }
  return PageDto;
}
