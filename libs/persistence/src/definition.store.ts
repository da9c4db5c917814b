import type { DataSource } from 'typeorm';

export interface PublishedDefinition {
  ref: string;
  id: string;
  version: number;
  hash: string;
  content: unknown;
}

export class DefinitionChangedError extends Error {
  constructor(ref: string, stored: string, current: string) {
    super(
      `definition ${ref} was published with content hash ${stored}, but the code now has ${current}: ` +
        `a published version must not change; give the new content a new version number`,
    );
    this.name = 'DefinitionChangedError';
  }
}

/** Published definition versions: the first boot that runs a version pins its content hash. */
export class DefinitionStore {
  constructor(private readonly ds: DataSource) {}

  async publish(defs: PublishedDefinition[]): Promise<void> {
    for (const d of defs) {
      await this.ds.query(
        `INSERT INTO definitions (ref, id, version, hash, content) VALUES ($1,$2,$3,$4,$5::jsonb) ON CONFLICT (ref) DO NOTHING`,
        [d.ref, d.id, d.version, d.hash, JSON.stringify(d.content)],
      );
      const rows = await this.ds.query(`SELECT hash FROM definitions WHERE ref = $1`, [d.ref]);
      if (rows[0].hash !== d.hash) throw new DefinitionChangedError(d.ref, rows[0].hash, d.hash);
    }
  }

  /** The content and hash a version was pinned with, or null if it never was. */
  async pinned(ref: string): Promise<{ hash: string; content: unknown } | null> {
    const rows = await this.ds.query(`SELECT hash, content FROM definitions WHERE ref = $1`, [ref]);
    return rows.length ? { hash: rows[0].hash, content: rows[0].content } : null;
  }

  /** How many procedures run each version. */
  async procedureCounts(): Promise<{ definition: string; procedures: number }[]> {
    return this.ds.query(
      `SELECT definition, count(*)::int AS procedures FROM procedure_snapshots GROUP BY definition ORDER BY definition`,
    );
  }

  async refs(): Promise<string[]> {
    const rows = await this.ds.query(`SELECT ref FROM definitions ORDER BY ref`);
    return rows.map((r: { ref: string }) => r.ref);
  }
}
