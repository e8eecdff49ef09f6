import type { DataSource } from 'typeorm';

/** Lists count exactly up to this many rows; past it, the total is an estimate. */
export const EXACT_COUNT_UP_TO = 10_000;

/**
 * How many rows `FROM … WHERE …` (`from`) has: exact up to EXACT_COUNT_UP_TO (reading at most that many rows); past
 * it, an estimate: for an unfiltered table (`table` given) the planner's row count, else the bound.
 */
export async function boundedCount(
  dataSource: DataSource,
  from: string,
  values: unknown[],
  table?: string,
): Promise<{ total: number; estimated: boolean }> {
  const [{ n }]: Array<{ n: number }> = await dataSource.query(
    `SELECT count(*)::int AS n FROM (SELECT 1 ${from} LIMIT ${EXACT_COUNT_UP_TO + 1}) bounded`,
    values,
  );
  if (n <= EXACT_COUNT_UP_TO) return { total: n, estimated: false };
  if (!table) return { total: n, estimated: true };
  const [{ rows }]: Array<{ rows: number }> = await dataSource.query(
    `SELECT GREATEST(reltuples, 0)::bigint::int AS rows FROM pg_class WHERE oid = $1::regclass`,
    [table],
  );
  return { total: Math.max(rows, n), estimated: true };
}
