import type { IncomingHttpHeaders } from 'node:http';
import type { DeviceReport } from './devices.repository';

/** The device a fetch names (`x-hwid` and what the app says of itself), none, or a hardware id we refuse. */
export function deviceReportOf(headers: IncomingHttpHeaders): DeviceReport | null | 'invalid' {
  const hwid = headers['x-hwid'];
  if (hwid === undefined) return null;
  if (typeof hwid !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(hwid)) return 'invalid';
  const said = (name: string, length: number) => {
    const value = headers[name];
    const text =
      typeof value === 'string'
        ? value
            .replace(/[^\x20-\x7e]/g, '')
            .trim()
            .slice(0, length)
        : '';
    return text || null;
  };
  return {
    hwid,
    os: said('x-device-os', 64),
    osVersion: said('x-ver-os', 64),
    model: said('x-device-model', 128),
    userAgent: said('user-agent', 256),
  };
}
