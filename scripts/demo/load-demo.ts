import { NestFactory } from '@nestjs/core';
import { ProjectQueries } from '@qianqi/persistence';
import { DemoModule } from './demo.module';
import { DEMO_PROJECTS } from './demo-projects.data';
import { DemoSeeder, type SeedOptions, type SeededProject } from './demo-seeder.service';

export interface LoadDemoOptions extends SeedOptions {
  /** Load into a database that already holds projects (demo projects already there are kept, not doubled). */
  force?: boolean;
}

export interface LoadDemoResult {
  /** true when the demo was loaded by this call. */
  loaded: boolean;
  /** Projects in the database before this call. */
  projectsBefore: number;
  /** The demo projects now in the database (registered by this call or an earlier one). */
  demo: SeededProject[];
  elapsedMs: number;
}

/**
 * Loads the demo when the database holds no project yet (or with `force`), in an application
 * context of the engine on DATABASE_URL. Expects the schema migrated.
 */
export async function loadDemo(opts: LoadDemoOptions = {}): Promise<LoadDemoResult> {
  const started = Date.now();
  // abortOnError false: a failing boot throws to the caller, which says why, instead of exiting here.
  const app = await NestFactory.createApplicationContext(DemoModule, {
    logger: ['error', 'warn'],
    abortOnError: false,
  });
  try {
    const seeder = app.get(DemoSeeder);
    const projectsBefore = await app.get(ProjectQueries).count();
    if (projectsBefore > 0 && !opts.force) {
      const found = await seeder.find(DEMO_PROJECTS);
      const demo = found.map((p) => ({
        code: p.code,
        name: p.name,
        projectId: p.id,
        procedureId: p.procedureId,
        readyToStart: p.readyToStart,
        registered: false,
        appended: 0,
      }));
      return { loaded: false, projectsBefore, demo, elapsedMs: Date.now() - started };
    }
    const seeded = await seeder.seed(DEMO_PROJECTS, opts);
    return { loaded: true, projectsBefore, demo: seeded, elapsedMs: Date.now() - started };
  } finally {
    await app.close();
  }
}
