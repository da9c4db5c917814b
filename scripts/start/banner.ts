import { signToken } from '@qianqi/auth';
import type { AppConfig } from '@qianqi/config';
import type { LoadDemoResult } from '../demo/load-demo';
import { demoPersonas } from '../demo/demo-personas.data';
import { DEMO_PROJECTS } from '../demo/demo-projects.data';

export const TOKEN_TTL = '12h';

export interface BannerInput {
  config: AppConfig;
  demo: LoadDemoResult | { skipped: string };
  pids: { api?: number; worker?: number };
}

/** A URL with its password masked, for printing. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

function demoLine(demo: BannerInput['demo']): string {
  if ('skipped' in demo) return demo.skipped;
  const events = demo.demo.reduce((n, p) => n + p.appended, 0);
  if (demo.loaded)
    return `loaded now: ${demo.demo.length} projects, ${events} events (${(demo.elapsedMs / 1000).toFixed(1)} s)`;
  const others = demo.projectsBefore - demo.demo.length;
  return demo.demo.length
    ? `already loaded (${demo.demo.length} demo projects${others > 0 ? `, ${others} others` : ''})`
    : `not loaded: the database already holds ${demo.projectsBefore} projects (npm run seed:demo -- --force adds it)`;
}

/** What `npm start` prints once the API answers: where it is, the demo, a token per role, a curl. */
export function banner({ config, demo, pids }: BannerInput): string {
  const base = `http://localhost:${config.PORT}`;
  const lines = [
    '',
    `前期通 Qianqi is running  (api pid ${pids.api}, worker pid ${pids.worker})`,
    `  API       ${base}`,
    `  Docs      ${base}/docs   (OpenAPI: ${base}/docs-json)`,
    `  Health    ${base}/health`,
    `  Database  ${redactUrl(config.DATABASE_URL)}`,
    `  Redis     ${redactUrl(config.REDIS_URL)}`,
    `  Demo      ${demoLine(demo)}`,
  ];

  const present = 'skipped' in demo ? [] : demo.demo;
  if (present.length) {
    lines.push('', 'Demo projects (procedure id for GET /procedures/:id):');
    for (const p of present) {
      const data = DEMO_PROJECTS.find((d) => d.code === p.code);
      lines.push(`  ${p.code}  ${data?.city ?? ''} ${p.name}${p.readyToStart ? '  [具备开工条件]' : ''}`);
      lines.push(`      procedure ${p.procedureId}`);
      if (data) lines.push(`      ${data.scenario}`);
    }
  }

  if (config.NODE_ENV === 'production') {
    lines.push(
      '',
      'No dev tokens are printed with NODE_ENV=production; sign tokens with your own JWT_SECRET.',
    );
    lines.push('', 'Ctrl-C stops the API and the worker.', '');
    return lines.join('\n');
  }

  const personas = demoPersonas();
  const secret = config.JWT_SECRET ? 'JWT_SECRET' : 'the dev default secret (JWT_SECRET unset)';
  lines.push('', `Dev tokens (HS256, ${secret}, valid ${TOKEN_TTL}). Paste this block into a shell:`, '');
  for (const p of personas) {
    lines.push(`# ${p.label}`);
    lines.push(`export ${p.variable}=${signToken(p.claims, config.jwtSecret, TOKEN_TTL)}`);
  }

  const example = present[0];
  const leader = personas.find(
    (p) =>
      p.claims.role === 'leader' &&
      (!example || p.claims.sub === DEMO_PROJECTS.find((d) => d.code === example.code)?.leader),
  );
  const path = example ? `/procedures/${example.procedureId}` : '/projects';
  lines.push(
    '',
    `Try it (after pasting the tokens)${example ? `: where ${example.name} stands` : ''}:`,
    `  curl -s ${base}${path} -H "Authorization: Bearer $${leader?.variable ?? 'QQ_AUDITOR'}"`,
    '',
    'More tokens: npm run token -- --role department --department natural-resources',
    'Ctrl-C stops the API and the worker.',
    '',
  );
  return lines.join('\n');
}
