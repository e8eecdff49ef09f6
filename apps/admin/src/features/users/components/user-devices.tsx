import type { UserView } from '@fleet/contract';
import { useForgetDevice, useUserDevices } from '../api/user';

/** The user's devices (from `x-hwid` at subscription fetches) against their device limit, each with Forget. */
export function UserDevices({ user }: { user: UserView }) {
  const devices = useUserDevices(user.id);
  const forget = useForgetDevice(user.id);
  const limit = user.access.deviceLimit;
  if (!devices.data) return null;
  return (
    <>
      <h2>Devices</h2>
      <p>
        {devices.data.length} device(s){limit ? ` of ${limit} allowed` : ', no limit'}. Apps that send no hardware id
        are not listed; the panel's per-IP limit still applies to them.
      </p>
      {devices.data.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Device</th>
                <th>App</th>
                <th>First seen</th>
                <th>Last seen</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {devices.data.map((device) => (
                <tr key={device.id}>
                  <td>
                    {[device.model, device.os, device.osVersion].filter(Boolean).join(' · ') || device.hwid}
                    <br />
                    <small>{device.hwid}</small>
                  </td>
                  <td>{device.userAgent ?? '—'}</td>
                  <td>{new Date(device.firstSeenAt).toLocaleString()}</td>
                  <td>{new Date(device.lastSeenAt).toLocaleString()}</td>
                  <td>
                    <button type="button" onClick={() => forget.mutate(device.id)} disabled={forget.isPending}>
                      Forget
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {forget.error && <p role="alert">{forget.error.message}</p>}
    </>
  );
}
