import { ARRAY_MAX_SIZE, getMetadataStorage } from 'class-validator';

/** What a DTO can hold at all: its fields, and for list fields how many items. */
interface DtoShape {
  fields: ReadonlySet<string>;
  maxItems: ReadonlyMap<string, number>;
}

const shapes = new WeakMap<object, DtoShape | null>();

/** Read once per DTO class from its validation decorators; null for a class without any (not a DTO). */
function shapeOf(dto: new (...args: never[]) => unknown): DtoShape | null {
  const known = shapes.get(dto);
  if (known !== undefined) return known;
  const rules = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
  const shape = rules.length
    ? {
        fields: new Set(rules.map((rule) => rule.propertyName)),
        maxItems: new Map(
          rules
            .filter((rule) => rule.name === ARRAY_MAX_SIZE)
            .map((rule) => [rule.propertyName, Number(rule.constraints[0])] as const),
        ),
      }
    : null;
  shapes.set(dto, shape);
  return shape;
}

/**
 * The one problem with an input that cannot be what `dto` describes, found by counting, before any field is
 * validated: a body that is not a JSON object, more fields than the DTO has, a list where the field takes none or
 * longer than it allows. Validation of such an input would cost time and messages in proportion to its size (a 98 kB
 * array is 49,000 messages); this costs a look at its top level. `null` when the input is worth validating.
 */
export function inputShapeProblem(
  input: unknown,
  dto: new (...args: never[]) => unknown,
  where: 'body' | 'query',
): string | null {
  const shape = shapeOf(dto);
  if (!shape) return null;
  const noun = where === 'body' ? 'request body' : 'query string';
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return `${noun} must be a JSON object`;
  const keys = Object.keys(input);
  if (keys.length > shape.fields.size) {
    return `${noun} has ${keys.length} fields; this route takes at most ${shape.fields.size}: ${[...shape.fields].join(', ')}`;
  }
  for (const key of keys) {
    const value = (input as Record<string, unknown>)[key];
    if (!Array.isArray(value)) continue;
    const max = shape.maxItems.get(key);
    if (max === undefined && shape.fields.has(key)) return `${key} must be a single value, not a list`;
    if (max !== undefined && value.length > max) return `${key} must have at most ${max} items`;
  }
  return null;
}
