import { ClockApi } from './clock-api';
import { createOwnDatabase, deleteQueueKeys, dropOwnDatabase, OWN_QUEUE_PREFIX } from './own-database';
import { startTestApi, type TestApi } from './test-app';

/**
 * The test file's own database with the API on it, for the manual-clock scenarios: created (its
 * clock seeded at `manualClockAt`, if given) and started before the file's tests, stopped, its
 * queue keys deleted and the database dropped after. `started` receives the API and a ClockApi.
 */
export function onOwnDatabase(
  opts: { manualClockAt?: string },
  started: (api: TestApi, clock: ClockApi) => void,
): void {
  let api: TestApi | undefined;
  beforeAll(async () => {
    await createOwnDatabase(opts);
    api = await startTestApi();
    started(api, new ClockApi(api));
  }, 120_000);
  afterAll(async () => {
    await api?.close();
    await deleteQueueKeys(OWN_QUEUE_PREFIX);
    await dropOwnDatabase();
  });
}
