import { migrate } from '../../libs/persistence/src/data-source';
import { TEST_DATABASE_URL } from './test-env';

/** Once per run: the test database exists and is migrated. Tests then make their own ids. */
export default async function globalSetup(): Promise<void> {
  process.env.DATABASE_URL = TEST_DATABASE_URL;
  await migrate(TEST_DATABASE_URL);
}
