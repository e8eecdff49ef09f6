import type { EntitySubscriberInterface, InsertEvent, ValueTransformer } from 'typeorm';

/**
 * pg answers bigint and numeric columns as strings, since they may exceed a JS number. Ours (ids, byte counters,
 * telegram ids, multipliers) stay within 2^53, so the entities carry them as numbers through this transformer.
 */
export const numberColumn: ValueTransformer = {
  to: (value: unknown) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

/**
 * TypeORM merges what an INSERT returns (generated ids, defaults) into the entity as pg answered it, past the
 * columns' transformers: this applies `numberColumn` to those values too.
 */
export class NumberColumnsAfterInsert implements EntitySubscriberInterface {
  afterInsert(event: InsertEvent<object>): void {
    for (const column of event.metadata.columns) {
      if (column.transformer !== numberColumn) continue;
      const value: unknown = column.getEntityValue(event.entity);
      if (typeof value === 'string') column.setEntityValue(event.entity, Number(value));
    }
  }
}
