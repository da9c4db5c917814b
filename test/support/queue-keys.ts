import Redis from 'ioredis';
import { TEST_REDIS_URL } from './test-env';

/**
 * Deletes every Redis key under `<prefix>:` — never FLUSHALL, since other test runs share this
 * Redis. Used to clean up, and as the simulated FLUSHALL of the recovery tests.
 */
export async function deleteQueueKeys(prefix: string): Promise<number> {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 3 });
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
