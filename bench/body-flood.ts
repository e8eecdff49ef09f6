/**
 * Do hostile request bodies stall the process? `/healthz` latency at rest, then while 20 clients post ~98 kB bodies
 * that are not what the route takes (a JSON array of 49,000 elements, an object with 10,000 keys, an object whose one
 * field is a 49,000-element array) as fast as they are answered: once to `POST /api/v1/auth/login` without
 * credentials, once to `PATCH /api/v1/keys/:telegramId/access` with a bot token (the same route any token holder can
 * reach). Floor: `/healthz` at rest, measured in the same run; target: the median under each flood at most 3× that.
 * Then what a token holder can still send: the same shapes cut to fit under the body limit (~30 kB, parsed and refused by
 * their shape), against the cheapest refusal there is (`{"enabled":"yes"}`, one message) — an authenticated client
 * that floods is a load like any other; what must not remain is a cost that grows with the body.
 * Run: npm run bench:body-flood   (BENCH_FLOOD_SECONDS, BENCH_FLOOD_CLIENTS to change the load)
 */
import { startControlPlane } from './support/control-plane';
import { probe, summary } from './support/healthz-probe';

const SECONDS = Number(process.env['BENCH_FLOOD_SECONDS'] ?? 8);
const CLIENTS = Number(process.env['BENCH_FLOOD_CLIENTS'] ?? 20);
const PORT = 3950 + Math.floor(Math.random() * 40);
const TARGET = 3;

/** Made once: building them per request would load the bench, not the control plane. */
function bodies(elements: number, keys: number): string[] {
  return [
    JSON.stringify(Array.from({ length: elements }, () => 0)),
    JSON.stringify(Object.fromEntries(Array.from({ length: keys }, (_, i) => [`k${i}`, 0]))),
    JSON.stringify({ username: Array.from({ length: elements }, () => 0), note: Array.from({ length: 5 }, () => 0) }),
  ];
}
const HUGE = bodies(49_000, 10_000); // ~98 kB, as in the report that found the stall
const WITHIN_LIMIT = bodies(15_000, 3_000); // ~30 kB, under the 64 kB body limit
const CHEAPEST = [JSON.stringify({ enabled: 'yes' })];

async function flood(url: string, path: string, headers: Record<string, string>, method: string, payloads: string[]) {
  const until = Date.now() + SECONDS * 1000;
  const statuses: Record<number, number> = {};
  let largestAnswerBytes = 0;
  let requests = 0;
  const client = async (offset: number) => {
    for (let i = offset; Date.now() < until; i++) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { 'Content-Type': 'application/json', ...headers },
        body: payloads[i % payloads.length],
      });
      largestAnswerBytes = Math.max(largestAnswerBytes, (await response.arrayBuffer()).byteLength);
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      requests++;
    }
  };
  const [samples] = await Promise.all([probe(url, until), ...Array.from({ length: CLIENTS }, (_, i) => client(i))]);
  return {
    bodyBytes: payloads.map((body) => body.length),
    healthz: summary(samples),
    requestsPerSecond: Math.round(requests / SECONDS),
    statuses,
    largestAnswerBytes,
  };
}

async function main() {
  const plane = await startControlPlane(PORT);
  try {
    const bot = await fetch(`${plane.url}/api/v1/tokens`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${plane.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'bench-bot', role: 'bot' }),
    }).then((response) => response.json() as Promise<{ token: string }>);
    await probe(plane.url, Date.now() + 500); // warm
    const atRest = summary(await probe(plane.url, Date.now() + SECONDS * 1000));
    const asBot = { Authorization: `Bearer ${bot.token}` };
    const login = await flood(plane.url, '/api/v1/auth/login', {}, 'POST', HUGE);
    const tokenHolder = await flood(plane.url, '/api/v1/keys/1/access', asBot, 'PATCH', HUGE);
    const withinLimit = await flood(plane.url, '/api/v1/keys/1/access', asBot, 'PATCH', WITHIN_LIMIT);
    const cheapest = await flood(plane.url, '/api/v1/keys/1/access', asBot, 'PATCH', CHEAPEST);
    const ratio = (figures: { healthz: { medianMs: number } }) =>
      +(figures.healthz.medianMs / atRest.medianMs).toFixed(2);
    console.log(
      JSON.stringify(
        {
          benchmark: 'body-flood',
          clients: CLIENTS,
          secondsPerPhase: SECONDS,
          floor: { healthzAtRest: atRest },
          login: { ...login, medianVsRest: ratio(login) },
          tokenHolder: { ...tokenHolder, medianVsRest: ratio(tokenHolder) },
          tokenHolderWithinLimit: {
            ...withinLimit,
            medianVsRest: ratio(withinLimit),
            medianVsCheapestRefusal: +(withinLimit.healthz.medianMs / cheapest.healthz.medianMs).toFixed(2),
          },
          tokenHolderCheapestRefusal: { ...cheapest, medianVsRest: ratio(cheapest) },
          target: `login and tokenHolder medianVsRest <= ${TARGET}; tokenHolderWithinLimit medianVsCheapestRefusal <= ${TARGET}`,
          withinTarget:
            ratio(login) <= TARGET &&
            ratio(tokenHolder) <= TARGET &&
            withinLimit.healthz.medianMs <= TARGET * cheapest.healthz.medianMs,
        },
        null,
        2,
      ),
    );
  } finally {
    await plane.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
