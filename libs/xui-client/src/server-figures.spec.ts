import fixtures from './fixtures/panel-responses.json';
import { parseServerStatus, ServerFigures, xrayErrorMessage } from './server-figures';

const recorded = (name: 'status-v2.8' | 'status-starting') => JSON.parse(fixtures[name].body).obj as unknown;

/** Every figure of a parse, flattened: none may be NaN or infinite, whatever the panel sent. */
function numbersOf(figures: ServerFigures): unknown[] {
  const { memory, disk, net, load } = figures;
  return [
    figures.cpuPercent,
    memory.used,
    memory.total,
    disk.used,
    disk.total,
    figures.uptimeSeconds,
    net.upBytesPerSecond,
    net.downBytesPerSecond,
    figures.tcpConnections,
    figures.udpConnections,
    ...(load ?? []),
  ];
}

describe('parseServerStatus (spec §8)', () => {
  it('a full v2.8 answer: every figure, typed', () => {
    expect(parseServerStatus(recorded('status-v2.8'))).toEqual({
      cpuPercent: 7.52,
      memory: { used: 631_242_752, total: 2_079_461_376 },
      disk: { used: 9_745_862_656, total: 42_004_086_784 },
      xray: { state: 'running', version: '25.10.15' },
      uptimeSeconds: 1_209_873,
      load: [0.08, 0.03, 0.01],
      net: { upBytesPerSecond: 5124, downBytesPerSecond: 18_432 },
      tcpConnections: 61,
      udpConnections: 9,
    });
  });

  it('an older panel’s partial answer: what it did not send is null', () => {
    const figures = parseServerStatus({
      cpu: 12.5,
      mem: { current: 1024, total: 4096 },
      xray: { state: 'running', errorMsg: '' },
      uptime: 3600,
    });
    expect(figures).toEqual({
      cpuPercent: 12.5,
      memory: { used: 1024, total: 4096 },
      disk: { used: null, total: null },
      xray: { state: 'running', version: null },
      uptimeSeconds: 3600,
      load: null,
      net: { upBytesPerSecond: null, downBytesPerSecond: null },
      tcpConnections: null,
      udpConnections: null,
    });
  });

  it('values no machine reports are null: negative, not finite, a CPU above 100 %, 1e300 bytes, strings', () => {
    const figures = parseServerStatus({
      cpu: 250,
      mem: { current: -1, total: 1e300 },
      disk: { current: '9000', total: Number.NaN },
      xray: { state: 'RUNNING; DROP TABLE nodes', version: 'x'.repeat(33) },
      uptime: 1e20,
      loads: [0.1, -2, 0.3],
      netIO: { up: Infinity, down: 12.7 },
      tcpCount: 3e9,
      udpCount: 4.4,
    });
    expect(figures).toEqual({
      cpuPercent: null,
      memory: { used: null, total: null },
      disk: { used: null, total: null },
      xray: { state: null, version: null },
      uptimeSeconds: null,
      load: null,
      net: { upBytesPerSecond: null, downBytesPerSecond: 13 },
      tcpConnections: null,
      udpConnections: 4,
    });
  });

  it.each<[string, unknown]>([
    ['null (a panel that has just started)', recorded('status-starting')],
    ['a number', 42],
    ['a string', 'status'],
    ['an array', [1, 2, 3]],
    ['objects where numbers belong', { cpu: {}, mem: [], disk: 'full', xray: 7, loads: 'high', netIO: null }],
  ])('garbage: %s → every figure null, nothing thrown', (_, status) => {
    const figures = parseServerStatus(status);
    expect(numbersOf(figures).every((value) => value === null)).toBe(true);
    expect(figures.xray).toEqual({ state: null, version: null });
    expect(figures.load).toBeNull();
  });

  it('never yields NaN or an infinity, whatever the numbers', () => {
    const odd = [Number.NaN, Infinity, -Infinity, -0, 1e300, -1e300, Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53];
    for (const value of odd) {
      const figures = parseServerStatus({
        cpu: value,
        mem: { current: value, total: value },
        disk: { current: value, total: value },
        uptime: value,
        loads: [value, value, value],
        netIO: { up: value, down: value },
        tcpCount: value,
        udpCount: value,
      });
      for (const figure of numbersOf(figures)) {
        expect(figure === null || (typeof figure === 'number' && Number.isFinite(figure))).toBe(true);
      }
    }
  });

  it('Xray’s error message, when the answer has one', () => {
    expect(xrayErrorMessage({ xray: { state: 'error', errorMsg: 'Failed to start' } })).toBe('Failed to start');
    expect(xrayErrorMessage({ xray: { errorMsg: 5 } })).toBe('');
    expect(xrayErrorMessage(null)).toBe('');
  });
});
