import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '@qianqi/config';
import { DataSource } from '@qianqi/persistence';

const TIMEOUT_MS = 1000;

function within<T>(p: Promise<T>): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), TIMEOUT_MS)),
  ]);
}

/** { status, db, redis }: each server asked with a short timeout, so a dead one answers 503 fast. */
@Injectable()
export class HealthService implements OnApplicationShutdown {
  private readonly redis: Redis;

  constructor(
    private readonly ds: DataSource,
    config: AppConfig,
  ) {
    this.redis = new Redis(config.REDIS_URL, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (n) => Math.min(n * 200, 2000),
    });
    this.redis.on('error', () => undefined);
    this.redis.connect().catch(() => undefined);
  }

  async check() {
    const [db, redis] = await Promise.all([
      within(this.ds.query('SELECT 1')).then(
        () => 'up' as const,
        () => 'down' as const,
      ),
      within(this.redis.ping()).then(
        () => 'up' as const,
        () => 'down' as const,
      ),
    ]);
    return { status: db === 'up' && redis === 'up' ? 'ok' : 'unavailable', db, redis };
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
