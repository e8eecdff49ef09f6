import type { ClientTraffic, Inbound } from '@fleet/xui-client';
import { readingsOf } from './usage-ledger.service';

const row = (email: string, up: number) => ({ id: up, email, up, down: 0, allTime: up }) as ClientTraffic;
const inbound = (id: number, ...rows: ClientTraffic[]) => ({ id, clientStats: rows }) as Inbound;

describe('readingsOf', () => {
  // One panel carrying nodes 4 (inbound 1) and 9 (inbound 2); node 4 used inbound 3 before.
  const panel = [
    inbound(1, row('u1-n4', 10), row('operator', 20), row('u2-n9', 30)),
    inbound(2, row('u3-n9', 40), row('other-operator', 50)),
    inbound(3, row('u5-n4', 60), row('old-operator', 70)),
  ];
  const emails = (readings: Array<{ email: string }>) => readings.map((reading) => reading.email).sort();

  it('gives a node the clients named for it wherever they are, and the others on its inbound', () => {
    expect(emails(readingsOf(panel, { id: 4, inboundId: 1 }))).toEqual(['operator', 'u1-n4', 'u5-n4']);
    expect(emails(readingsOf(panel, { id: 9, inboundId: 2 }))).toEqual(['other-operator', 'u2-n9', 'u3-n9']);
    expect(emails(readingsOf(panel, { id: 7, inboundId: null }))).toEqual([]);
  });

  it('reads every inbound without a node, one reading per email', () => {
    expect(readingsOf([...panel, inbound(4, row('u1-n4', 11))])).toHaveLength(7);
    expect(readingsOf([inbound(1, row('u1-n4', 10)), inbound(2, row('u1-n4', 11))])).toMatchObject([{ up: 11 }]);
  });
});
