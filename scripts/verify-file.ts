import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describeExportVerification, verifyExport } from '@qianqi/audit';

/**
 * npm run verify:file -- <export.jsonl>
 *
 * Checks an export of GET /procedures/:id/export with nothing but the file (no database, no
 * network): exit 0 when it is complete and unaltered, 1 otherwise, with the reason.
 */
const arg = process.argv[2];
if (!arg || arg.startsWith('-')) {
  console.error('usage: npm run verify:file -- <export.jsonl>');
  process.exit(1);
}
// npm runs scripts from the package root; a relative path means the caller's directory.
const path = resolve(process.env.INIT_CWD ?? process.cwd(), arg);
let bytes: Buffer;
try {
  bytes = readFileSync(path);
} catch (err) {
  console.error(`REFUSED: cannot read ${path}: ${(err as Error).message}`);
  process.exit(1);
}
const verdict = describeExportVerification(verifyExport(bytes), arg);
for (const line of verdict.lines) (verdict.ok ? console.log : console.error)(line);
process.exit(verdict.ok ? 0 : 1);
