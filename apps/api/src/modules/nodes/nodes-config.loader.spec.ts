import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNodesConfig, NodesConfigError } from './nodes-config.loader';

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'nodes-config-')), 'nodes.yaml');
  writeFileSync(path, text);
  return path;
}

describe('loadNodesConfig', () => {
  it("maps the seed's YAML shape onto node bodies with secrets from the environment", () => {
    const bodies = loadNodesConfig(
      file(`nodes:
  - name: Primary-RU
    location: Russia
    x3ui_url: "https://vpn1.example.com:2053"
    x3ui_username: admin
    x3ui_password_env: P1
    priority: 100
    weight: 1.0
    max_users: 1000
`),
      { P1: 'from-env' },
    );
    expect(bodies).toEqual([
      expect.objectContaining({
        name: 'Primary-RU',
        location: 'Russia',
        panelUrl: 'https://vpn1.example.com:2053',
        panelUsername: 'admin',
        panelPassword: 'from-env',
        priority: 100,
        weight: 1,
        maxUsers: 1000,
      }),
    ]);
  });

  it('refuses plain-text secrets, missing variables, unknown keys and invalid values, listing them all', () => {
    const path = file(`nodes:
  - name: a
    x3ui_url: https://a.example.com
    x3ui_username: admin
    x3ui_password: hunter2
  - name: b
    x3ui_url: not-a-url
    x3ui_username: admin
    x3ui_password_env: MISSING_VAR
    colour: blue
    weight: 0
`);
    expect(() => loadNodesConfig(path, {})).toThrow(NodesConfigError);
    try {
      loadNodesConfig(path, {});
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('nodes[0] (a): x3ui_password must not be written in the file; use x3ui_password_env');
      expect(message).toContain('nodes[1] (b): environment variable MISSING_VAR (from x3ui_password_env) is not set');
      expect(message).toContain('nodes[1] (b): unknown key colour');
      expect(message).toContain('panelUrl must be an http(s) URL');
      expect(message).toContain('weight must be greater than 0');
      expect(message).not.toContain('hunter2');
    }
  });

  it('explains a file that is not YAML or has no nodes list', () => {
    expect(() => loadNodesConfig(file('nodes: [unclosed'))).toThrow(/NODES_CONFIG/);
    expect(() => loadNodesConfig(file('servers: []'))).toThrow('expected a top-level "nodes:" list');
    expect(() => loadNodesConfig('/nonexistent/nodes.yaml')).toThrow(/NODES_CONFIG/);
  });
});
