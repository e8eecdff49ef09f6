import { startControlPlane } from '../support/control-plane';
import { seed, SIZES } from '../growth';
(async () => {
  const env = { HEALTH_INTERVAL_MS: '0', USAGE_INTERVAL_MS: '0', ACCESS_INTERVAL_MS: '0', RECONCILE_INTERVAL_MS: '0' };
  const large = await startControlPlane(24961, env);
  await seed(large.databaseUrl, SIZES.large);
  console.log(JSON.stringify({ url: large.url, token: large.token, db: large.databaseUrl }));
  await new Promise(() => undefined);
})();
