import { readFileSync } from 'node:fs';

export const SUBSCRIPTION_FORMATS = ['links', 'base64', 'clash', 'singbox', 'xray', 'html'] as const;
export type SubscriptionFormat = (typeof SUBSCRIPTION_FORMATS)[number];

export interface UserAgentRule {
  pattern: RegExp;
  format: SubscriptionFormat;
}

/** Which apps get which format, by User-Agent; first match wins. Apps not named here get base64 links. */
export const DEFAULT_USER_AGENT_RULES: UserAgentRule[] = [
  { pattern: /clash|mihomo|stash|flclash|koala/i, format: 'clash' },
  { pattern: /sing-?box|\bSF[AIMT]\b|karing/i, format: 'singbox' },
  { pattern: /happ|streisand|v2box|incy/i, format: 'xray' },
];

export const isSubscriptionFormat = (value: string): value is SubscriptionFormat =>
  (SUBSCRIPTION_FORMATS as readonly string[]).includes(value);

/**
 * The format a fetch gets: the one it names (`?format=` or `/sub/:token/<format>`), else the first User-Agent rule
 * that matches, else the HTML page for a browser asking for HTML, else base64 links.
 */
export function chooseFormat(
  fetch: { named: SubscriptionFormat | null; userAgent: string; accept: string },
  rules: UserAgentRule[],
): SubscriptionFormat {
  if (fetch.named) return fetch.named;
  const rule = rules.find((candidate) => candidate.pattern.test(fetch.userAgent));
  if (rule) return rule.format;
  if (/^Mozilla\//.test(fetch.userAgent) && /text\/html/.test(fetch.accept)) return 'html';
  return 'base64';
}

/**
 * The rules of a `SUB_USER_AGENTS_FILE`: one per line, `<format> <regular expression>` (case-insensitive), `#`
 * comments and blank lines skipped; they replace the default table. A bad line stops the start with its number.
 */
export function readUserAgentRules(path: string): UserAgentRule[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .flatMap((line, index) => {
      const text = line.replace(/#.*$/, '').trim();
      if (!text) return [];
      const [format, ...rest] = text.split(/\s+/);
      const where = `${path}:${index + 1}`;
      if (!isSubscriptionFormat(format))
        throw new Error(`${where}: unknown format "${format}" (${SUBSCRIPTION_FORMATS.join(', ')})`);
      try {
        return [{ format, pattern: new RegExp(rest.join(' '), 'i') }];
      } catch (error) {
        throw new Error(`${where}: ${(error as Error).message}`);
      }
    });
}
