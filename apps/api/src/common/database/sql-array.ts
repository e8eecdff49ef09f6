/**
 * A PostgreSQL array literal of numbers or booleans, to pass as one parameter. The driver's own conversion escapes
 * every element as a string, which at 100,000 elements costs more than the query it feeds.
 */
export function sqlArray(values: ReadonlyArray<number | boolean>): string {
  return `{${values.join(',')}}`;
}

/** The numbers of an array literal as PostgreSQL writes one (`array_agg(id)::text`); none for NULL or `{}`. */
export function numbersOfSqlArray(literal: string | null): number[] {
  return literal && literal.length > 2 ? literal.slice(1, -1).split(',').map(Number) : [];
}
