import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from './app-config';

const ROOT = resolve(__dirname, '../../../..');

/** Every variable `loadConfig` reads, found by letting it read from an environment that records each lookup. */
function variablesRead(): string[] {
  const read = new Set<string>();
  const recorder = new Proxy({} as Record<string, string | undefined>, {
    get: (_target, name) => {
      if (typeof name === 'string') read.add(name);
      return undefined;
    },
  });
  loadConfig(recorder);
  return [...read].sort();
}

/** `NAME=value` lines of .env.example (comments and blank lines aside). */
function exampleEnvironment(): Record<string, string> {
  const lines = readFileSync(resolve(ROOT, '.env.example'), 'utf8').split('\n');
  return Object.fromEntries(
    lines
      .map((line) => /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim()))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => [match[1], match[2]]),
  );
}

describe('.env.example', () => {
  it('lists exactly the variables the configuration reads', () => {
    expect(Object.keys(exampleEnvironment()).sort()).toEqual(variablesRead());
  });

  it('shows each default as the value the configuration falls back to', () => {
    expect(loadConfig(exampleEnvironment())).toEqual(loadConfig({}));
  });

  it('is matched by the README, which names every variable', () => {
    const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
    expect(variablesRead().filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });
});
