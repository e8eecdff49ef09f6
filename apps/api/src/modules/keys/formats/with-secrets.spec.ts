import { parse } from 'yaml';
import type { ProxyEndpoint } from '@fleet/xui-client';
import { clashProfile } from './clash';
import { singBoxProfile } from './sing-box';
import { xrayConfigs } from './xray-json';

const endpoint = (secret: Partial<ProxyEndpoint>): ProxyEndpoint => ({
  name: 'x',
  protocol: 'trojan',
  server: 'n1.vpn.example',
  port: 443,
  transport: { network: 'tcp' },
  security: 'tls',
  tls: { serverName: 'n1.vpn.example' },
  ...secret,
});
const servers = (password: string) => [
  { name: '🇩🇪 Germany', link: 'trojan://…', endpoint: endpoint({ password }) },
  { name: '🇩🇪 Germany', link: 'trojan://…', endpoint: endpoint({ password: `${password}-2`, port: 8443 }) },
];

describe('profiles written once per set of servers, with each user’s secrets put in place', () => {
  it('is the same text for users on the same servers but for each user’s secrets', () => {
    const alice = clashProfile(servers('alice-key'), 'VPN');
    const bob = clashProfile(servers('bob-key'), 'VPN');
    expect(bob).toBe(alice.replaceAll('alice-key', 'bob-key'));
    expect(parse(bob).proxies.map((proxy: { name: string; password: string }) => [proxy.name, proxy.password])).toEqual(
      [
        ['🇩🇪 Germany', 'bob-key'],
        ['🇩🇪 Germany 2', 'bob-key-2'],
      ],
    );
  });

  it('writes a secret that needs escaping through the YAML library, and it reads back the same', () => {
    const odd = 'pa"ss\\word: #1';
    const profile = parse(clashProfile(servers(odd), 'VPN'));
    expect(profile.proxies[0].password).toBe(odd);
    expect(profile['proxy-groups'][0]).toEqual({
      name: 'VPN',
      type: 'select',
      proxies: ['Auto', '🇩🇪 Germany', '🇩🇪 Germany 2'],
    });
  });

  it.each([
    ['sing-box', singBoxProfile],
    ['Xray', xrayConfigs],
  ])('%s: the same text but for the secrets, and the secrets read back in their places', (_label, render) => {
    const alice = render(servers('alice-key'));
    const bob = render(servers('bob-key'));
    expect(bob).toBe(alice.replaceAll('alice-key', 'bob-key'));
    expect(bob).toContain('"bob-key-2"');
    expect(JSON.parse(render(servers('pa"ss\\word')))).toBeTruthy(); // escaped by JSON itself, not templated
  });
});
