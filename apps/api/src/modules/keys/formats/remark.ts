import { flagOf } from '@fleet/contract';

/** What a server's name may say (`SUB_REMARK_TEMPLATE`): nothing that changes when the user moves within a group. */
export interface RemarkFacts {
  group: { name: string; countryCode: string | null };
  /** The serving node's location, when it has one. */
  location: string | null;
}

export const REMARK_PLACEHOLDERS = ['{flag}', '{group}', '{country}', '{location}'];

/**
 * The name of a user's server in their app, from the template: `{flag}` (the group's country flag), `{group}` (its
 * name), `{country}` (its two-letter code), `{location}` (the node's location, else the group's name). Never a node
 * id or client email, so the name stays the same across moves within the group.
 */
export function remarkOf(template: string, facts: RemarkFacts): string {
  const values: Record<string, string> = {
    '{flag}': flagOf(facts.group.countryCode),
    '{group}': facts.group.name,
    '{country}': facts.group.countryCode ?? '',
    '{location}': facts.location || facts.group.name,
  };
  const text = template.replace(/\{(flag|group|country|location)\}/g, (placeholder) => values[placeholder]);
  return text.replace(/\s+/g, ' ').trim() || facts.group.name;
}
