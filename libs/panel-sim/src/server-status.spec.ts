import { ControlServer } from './control-server';
import { PanelSimulator } from './panel-simulator';

/** §8 `server/status` over HTTP, and its override through the control server. */
describe('PanelSimulator server/status (§8) and its control', () => {
  let panel: PanelSimulator;
  let control: ControlServer;

  const status = async (): Promise<Record<string, unknown>> => {
    const headers = { 'X-Requested-With': 'XMLHttpRequest', Authorization: 'Bearer status-token' };
    const response = await fetch(`${panel.url}panel/api/server/status`, { headers });
    expect(response.status).toBe(200);
    return ((await response.json()) as { obj: Record<string, unknown> }).obj;
  };
  const setStatus = (body: unknown) =>
    fetch(`${control.url}/status`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });

  beforeEach(async () => {
    panel = await new PanelSimulator({
      version: '3.0.2',
      apiTokens: [{ token: 'status-token', scope: 'monitor' }],
    }).start();
    control = await new ControlServer(panel).start();
  });
  afterEach(async () => {
    await control.stop();
    await panel.stop();
  });

  it('answers every documented field, in range, with the v3 panel version', async () => {
    const obj = await status();
    expect(Object.keys(obj)).toEqual([
      'cpu',
      'cpuCores',
      'logicalPro',
      'cpuSpeedMhz',
      'mem',
      'swap',
      'disk',
      'xray',
      'uptime',
      'loads',
      'tcpCount',
      'udpCount',
      'netIO',
      'netTraffic',
      'publicIP',
      'appStats',
      'panelVersion',
    ]);
    expect(obj['cpu']).toEqual(expect.any(Number));
    expect(obj['cpu'] as number).toBeGreaterThanOrEqual(0);
    expect(obj['cpu'] as number).toBeLessThanOrEqual(100);
    expect(obj['xray']).toEqual({ state: 'running', errorMsg: '', version: expect.any(String) });
    const mem = obj['mem'] as { current: number; total: number };
    expect(mem.current).toBeLessThan(mem.total);
    expect(obj['panelVersion']).toBe('3.0.2');
  });

  it('tcp connections roughly follow the clients online', async () => {
    const before = (await status())['tcpCount'] as number;
    panel.state.onlines = Array.from({ length: 500 }, (_, i) => `user-${i}`);
    // The panel refreshes its figures every 2 s.
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await status())['tcpCount'] as number).toBeGreaterThan(before + 900);
  });

  it('POST /status {cpu} reports a hot CPU until {} restores the wandering one', async () => {
    const hot = await setStatus({ cpu: 97 });
    expect(hot.status).toBe(200);
    expect(await hot.json()).toEqual({ status: { cpu: 97 } });
    expect((await status())['cpu']).toBe(97);
    expect(await (await fetch(`${control.url}/state`)).json()).toMatchObject({ status: { cpu: 97 } });
    await setStatus({});
    expect((await status())['cpu'] as number).toBeLessThanOrEqual(30);
  });

  it('POST /status {omit, fields}: an older panel’s answer, a broken panel’s values', async () => {
    await setStatus({ omit: ['disk', 'loads', 'netIO'], fields: { cpu: 'NaN', mem: { current: -1, total: 1e300 } } });
    const obj = await status();
    expect(obj).not.toHaveProperty('disk');
    expect(obj).not.toHaveProperty('netIO');
    expect(obj).toMatchObject({ cpu: 'NaN', mem: { current: -1, total: 1e300 }, xray: { state: 'running' } });
  });

  it.each<[unknown, string]>([
    ['not json', 'body must be JSON'],
    [[1], 'body must be a JSON object'],
    [{ cpu: 101 }, 'cpu must be a percent from 0 to 100'],
    [{ cpu: '97' }, 'cpu must be a percent from 0 to 100'],
    [{ omit: 'disk' }, 'omit must be a list of field names'],
    [{ fields: [1] }, 'fields must be an object'],
  ])('POST /status %p: 400 (%s)', async (body, error) => {
    const response = await setStatus(body);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error });
  });
});
