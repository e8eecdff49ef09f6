import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { validationMessages } from '../../common/http/validation';
import { CreateNodeDto } from './dto/node.dto';

/** Keys of the seed's YAML shape, mapped onto the API's field names. Secrets only through `*_env` keys. */
const KEY_MAP: Record<string, keyof CreateNodeDto> = {
  name: 'name',
  description: 'description',
  location: 'location',
  x3ui_url: 'panelUrl',
  x3ui_username: 'panelUsername',
  inbound_id: 'inboundId',
  public_host: 'publicHost',
  tls_verify: 'tlsVerify',
  max_users: 'maxUsers',
  priority: 'priority',
  weight: 'weight',
  usage_multiplier: 'usageMultiplier',
  status: 'status',
};
const ENV_KEY_MAP: Record<string, keyof CreateNodeDto> = {
  x3ui_username_env: 'panelUsername',
  x3ui_password_env: 'panelPassword',
  x3ui_api_token_env: 'panelApiToken',
};
const PLAIN_SECRET_KEYS = ['x3ui_password', 'password', 'x3ui_api_token', 'api_token'];

export class NodesConfigError extends Error {}

/**
 * Reads a NODES_CONFIG file (`nodes: [{name, x3ui_url, x3ui_password_env, …}]`) into validated create bodies.
 * Any problem fails the whole file, with every problem listed.
 */
export function loadNodesConfig(path: string, env: Record<string, string | undefined> = process.env): CreateNodeDto[] {
  let document: unknown;
  try {
    document = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new NodesConfigError(`NODES_CONFIG ${path}: ${(error as Error).message}`);
  }
  const list = (document as { nodes?: unknown })?.nodes;
  if (!Array.isArray(list)) throw new NodesConfigError(`NODES_CONFIG ${path}: expected a top-level "nodes:" list`);

  const problems: string[] = [];
  const bodies = list.map((entry: Record<string, unknown>, index) => {
    const where = `nodes[${index}]${typeof entry?.['name'] === 'string' ? ` (${entry['name']})` : ''}`;
    const body: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(entry ?? {})) {
      if (PLAIN_SECRET_KEYS.includes(key)) {
        problems.push(
          `${where}: ${key} must not be written in the file; use ${key.replace(/^(x3ui_)?/, 'x3ui_')}_env with the name of an environment variable`,
        );
      } else if (KEY_MAP[key]) {
        body[KEY_MAP[key]] = value;
      } else if (ENV_KEY_MAP[key]) {
        const secret = env[String(value)];
        if (!secret) problems.push(`${where}: environment variable ${String(value)} (from ${key}) is not set`);
        body[ENV_KEY_MAP[key]] = secret;
      } else {
        problems.push(`${where}: unknown key ${key}`);
      }
    }
    const dto = plainToInstance(CreateNodeDto, body);
    problems.push(...validationMessages(validateSync(dto)).map((message) => `${where}: ${message}`));
    return dto;
  });
  if (problems.length) throw new NodesConfigError(`NODES_CONFIG ${path} is invalid:\n  - ${problems.join('\n  - ')}`);
  return bodies;
}
