import 'reflect-metadata';
import { plainToInstance, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';

export const DEV_JWT_SECRET = 'qianqi-dev-secret-not-for-production';

/** Every environment variable the processes read, validated once at boot. */
export class AppConfig {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @IsInt()
  @Min(1)
  @Max(65535)
  @Type(() => Number)
  PORT: number = 3000;

  @IsString()
  DATABASE_URL: string = 'postgres://postgres@127.0.0.1:5432/qianqi';

  @IsString()
  REDIS_URL: string = 'redis://127.0.0.1:6379';

  @IsOptional()
  @IsString()
  JWT_SECRET?: string;

  @IsIn(['system', 'manual'])
  CLOCK_MODE: 'system' | 'manual' = 'system';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';

  @IsInt()
  @Min(1)
  @Max(200)
  @Type(() => Number)
  DB_POOL_SIZE: number = 20;

  /**
   * HTTP worker processes of the API (a node `cluster` sharing the port); 1 runs the API in the
   * process itself. Each worker has its own pool of DB_POOL_SIZE connections.
   */
  @IsInt()
  @Min(1)
  @Max(64)
  @Type(() => Number)
  API_WORKERS: number = 1;

  /**
   * Procedures each API process remembers as it last wrote them, so the next command on one skips
   * its load (the write stays conditional on the version, so a stale entry only costs a retry).
   * 0 turns it off.
   */
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  @Type(() => Number)
  SNAPSHOT_CACHE_SIZE: number = 5000;

  /** Prefix of the BullMQ queues, so tests and several deployments can share one Redis. */
  @IsString()
  QUEUE_PREFIX: string = 'qianqi';

  /** Response limits of escalation levels 1–3 in working days, e.g. "3,3,5". */
  @Matches(/^\d+,\d+,\d+$/, { message: 'ESCALATION_LEVEL_DAYS must be three working-day counts like 3,3,5' })
  ESCALATION_LEVEL_DAYS: string = '3,3,5';

  /** Redis holds only timers due within this many seconds; the scheduler moves the rest in later. */
  @Type(() => Number)
  @IsInt()
  @Min(5)
  TIMER_HORIZON_SECONDS: number = 600;

  /** How often the worker's scheduler and reconciler jobs run, in milliseconds. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  TIMER_SCHEDULE_EVERY_MS: number = 15000;

  @Type(() => Number)
  @IsInt()
  @Min(100)
  TIMER_RECONCILE_EVERY_MS: number = 30000;

  /** How long a worker holds a job before BullMQ calls it stalled and hands it to another. */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  JOB_LOCK_MS: number = 30000;

  /**
   * Tests only (refused unless NODE_ENV=test): the timer handler holds its transaction open this
   * long after its writes, before committing, so a test can kill a worker in the middle of a job.
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  TEST_JOB_DELAY_MS?: number;

  get escalationLimits(): number[] {
    return this.ESCALATION_LEVEL_DAYS.split(',').map(Number);
  }

  get jwtSecret(): string {
    return this.JWT_SECRET ?? DEV_JWT_SECRET;
  }
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const raw = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const config = plainToInstance(AppConfig, raw, {
    enableImplicitConversion: true,
    excludeExtraneousValues: false,
  });
  const errors = validateSync(config, { whitelist: false });
  const problems = errors.map(
    (e) =>
      `${e.property}=${JSON.stringify(raw[e.property] ?? e.value)}: ${Object.values(e.constraints ?? {}).join(', ')}`,
  );
  if (config.TEST_JOB_DELAY_MS && config.NODE_ENV !== 'test')
    problems.push('TEST_JOB_DELAY_MS is only allowed when NODE_ENV=test');
  if (config.NODE_ENV === 'production') {
    if (!config.JWT_SECRET) problems.push('JWT_SECRET is required when NODE_ENV=production');
    if (config.CLOCK_MODE === 'manual')
      problems.push('CLOCK_MODE=manual is refused when NODE_ENV=production');
  }
  if (problems.length) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  return config;
}
