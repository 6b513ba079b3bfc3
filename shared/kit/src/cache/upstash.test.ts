import { startUpstashBridge } from '@syncro/testing/upstash';
import { createUpstashCache } from './upstash.ts';
import { cacheSuite } from '@syncro/testing/cache.case';

// The Upstash client speaks REST; the bridge serves that protocol on loopback in front of the real Redis.
cacheSuite('upstash', async () => {
  const bridge = await startUpstashBridge(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  return { cache: createUpstashCache({ url: bridge.url, token: bridge.token }), dispose: bridge.stop };
});
